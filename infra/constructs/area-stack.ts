import { NestedStack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { areaConstructId, type Area } from '../areas.ts';

/**
 * The nested stack of one business area (infra/areas.ts): its route functions with their roles, the
 * Lambda permissions, integrations and routes. The API, its authorizers and stage, the table, the
 * keys, the log groups and the alarms stay in the parent stack, which passes what the area refers to
 * as parameters (CDK wires them).
 */
export class AreaStack extends NestedStack {
  readonly area: Area;

  constructor(scope: Construct, area: Area) {
    super(scope, areaConstructId(area), { description: `Portcullis: the ${area} routes` });
    this.area = area;
  }
}
