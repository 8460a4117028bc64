/** The CDK app (`cdk.json`: `tsx infra/app.ts`). `npx cdk deploy -c stage=prod -c smsAllowedCountries=… -c emailFrom=…` deploys production (docs/deploy.md). */
import { App } from 'aws-cdk-lib';
import { ensureConsoleBuilt } from '#local/console.ts';
import { buildApp, consoleContext } from './build-app.ts';

const app = new App();
// The console's distribution uploads console/dist: `cdk synth`/`deploy` build it first when it is
// missing or older than its sources (as `npm start` does), so a deployment never ships a stale or
// placeholder console. Here, not in buildApp: the infrastructure tests synthesize without building.
if (consoleContext(app) ?? true) {
  if (await ensureConsoleBuilt()) console.error('Built the console (console/dist).');
}
buildApp(app);
