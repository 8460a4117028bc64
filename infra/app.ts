/** The CDK app (`cdk.json`: `tsx infra/app.ts`). `npx cdk deploy -c stage=prod -c smsAllowedCountries=… -c emailFrom=…` deploys production (docs/deploy.md). */
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.ts';

buildApp(new App());
