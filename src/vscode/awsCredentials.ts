// Which AWS profile and region handlers run with: offered from the user's AWS config files,
// shown in the status bar, stored in the `lambdaLab.awsProfile` / `lambdaLab.region` settings
// (the runtime passes them to handler environments), and named when a handler cannot load
// credentials.
import * as vscode from 'vscode';
import type { LocalRuntime } from '../runtime/localRuntime';
import { awsConfigFiles, hostProfile, readAwsProfiles } from './awsProfiles';

/** What AWS SDKs say when no credentials could be found or used. */
const CREDENTIALS_FAILURE =
  /Could not load credentials|CredentialsProviderError|Unable to locate credentials|security token included in the request is (?:invalid|expired)|ExpiredToken|The config profile \(.*\) could not be found/i;

export class AwsCredentials implements vscode.Disposable {
  private readonly statusBar = vscode.window.createStatusBarItem('lambdaLab.awsProfile', vscode.StatusBarAlignment.Left, 9);

  constructor(private readonly runtime: LocalRuntime) {
    this.statusBar.name = 'Lambda Lab: AWS profile';
    this.statusBar.command = 'lambdaLab.selectAwsProfile';
    this.update();
  }

  /** The profile handlers get: the chosen one, else the host's. */
  profile(): string {
    return this.runtime.options.awsProfile || hostProfile();
  }

  /** A sentence to add to a failure that is about credentials; undefined for any other failure. */
  explain(message: string): string | undefined {
    if (!CREDENTIALS_FAILURE.test(message)) return undefined;
    const { config, credentials } = awsConfigFiles();
    return `Handlers ran with AWS profile "${this.profile()}" (region ${this.runtime.region}) from ${config} / ${credentials}. Pick another with "Lambda Lab: Select AWS Profile", or sign in (e.g. aws sso login --profile ${this.profile()}).`;
  }

  /** Asks for a profile, then a region (the profile's own first); stores both in the workspace settings. */
  async select(): Promise<string | undefined> {
    const profiles = readAwsProfiles();
    const current = this.profile();
    const picked = await vscode.window.showQuickPick(
      [
        ...profiles.map((p) => ({
          label: p.name,
          description: [p.name === current ? 'in use' : '', p.region ?? ''].filter(Boolean).join(' · '),
          detail: p.files.map((f) => vscode.workspace.asRelativePath(f)).join(', '),
          profile: p,
        })),
        ...(profiles.length
          ? []
          : [{ label: 'default', description: `no profiles in ${awsConfigFiles().config}`, detail: undefined, profile: undefined }]),
      ],
      { title: 'AWS profile for handlers (as AWS_PROFILE)' },
    );
    if (!picked) return undefined;
    const regions = [
      ...new Set(
        [picked.profile?.region, this.runtime.region, 'us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'].filter(
          (r): r is string => !!r,
        ),
      ),
    ];
    const region = await vscode.window.showQuickPick(
      regions.map((r) => ({ label: r, description: r === picked.profile?.region ? `region of profile ${picked.label}` : undefined })),
      { title: `Region for handlers with profile ${picked.label} (AWS_REGION)` },
    );
    if (!region) return undefined;
    const settings = vscode.workspace.getConfiguration('lambdaLab');
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await settings.update('awsProfile', picked.label, target);
    await settings.update('region', region.label, target);
    return picked.label;
  }

  /** After the settings changed (and the runtime's options with them). */
  update(): void {
    this.statusBar.text = `$(key) ${this.profile()} · ${this.runtime.region}`;
    this.statusBar.tooltip = `Lambda Lab handlers run with AWS profile "${this.profile()}" in ${this.runtime.region}. Click to choose another.`;
    this.statusBar.show();
  }

  dispose(): void {
    this.statusBar.dispose();
  }
}
