// "Create Sample SAM Project": a minimal, runnable SAM project for a workspace without one.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const FILES: Record<string, string> = {
  'template.yaml': `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: A sample function for Lambda Lab.

Globals:
  Function:
    Runtime: nodejs22.x
    Timeout: 3
    MemorySize: 128

Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Environment:
        Variables:
          GREETING: Hello
`,
  'src/app.mjs': `// Invoke me from the Lambda sidebar, or with the ▶ Invoke lens above the handler.
const greeting = process.env.GREETING ?? 'Hello';
console.log('init: module loaded');

export const handler = async (event, context) => {
  const name = event.queryStringParameters?.name ?? 'world';
  console.info(\`greeting \${name}\`);
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: \`\${greeting}, \${name}!\`, requestId: context.awsRequestId }),
  };
};
`,
  'events/hello.json': `{
  "httpMethod": "GET",
  "path": "/hello",
  "queryStringParameters": { "name": "Lambda" }
}
`,
};

/** Writes the sample into the first workspace folder (or a folder the user picks) and opens the handler. */
export async function createSampleProject(): Promise<string | undefined> {
  let folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Create Sample Here' });
    folder = picked?.[0]?.fsPath;
    if (!folder) return undefined;
  }
  if (existsSync(path.join(folder, 'template.yaml'))) {
    void vscode.window.showWarningMessage(
      `${path.join(folder, 'template.yaml')} already exists; the sample was not written. Add its functions to lambdaLab.templateGlobs if they do not show.`,
    );
    return undefined;
  }
  for (const [name, text] of Object.entries(FILES)) {
    const file = path.join(folder, name);
    mkdirSync(path.dirname(file), { recursive: true });
    if (!existsSync(file)) writeFileSync(file, text);
  }
  if (!vscode.workspace.workspaceFolders?.length) {
    await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(folder));
    return folder;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(path.join(folder, 'src/app.mjs')));
  return folder;
}
