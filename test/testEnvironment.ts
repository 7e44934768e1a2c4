// Loaded by mocha before every suite (.mocharc.json): Lambda Lab's user cache (Node builds, the
// runtime's AWS SDK) is a git-ignored folder of the repo, used offline, so tests never wait for
// the npm registry unless a suite prepares its own cache.
import * as path from 'node:path';

process.env.LAMBDA_LAB_CACHE_DIR ??= path.join(__dirname, '..', '.vscode-test', 'lambda-lab-cache');
process.env.LAMBDA_LAB_OFFLINE ??= '1';
