/** The CDK app (`cdk.json`: `tsx infra/app.ts`). `npx cdk deploy -c stage=prod` deploys production. */
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.ts';

buildApp(new App());
