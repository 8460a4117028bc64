/**
 * The AWS prices the cost model uses, in one table: us-east-1, on-demand, no free tier, no savings
 * plans. Checked 2026-11-23 against the pages below. DynamoDB on-demand throughput was halved on
 * 1 November 2024 (from $1.25 / $0.25 per million WRU / RRU); the figures here are the reduced ones.
 */
export const PRICES = {
  region: 'us-east-1',
  checkedOn: '2026-11-23',
  httpApi: {
    /** HTTP API requests, first 300 million a month (requests are metered in 512 KB increments). */
    perMillionRequests: 1.0,
    source: 'https://aws.amazon.com/api-gateway/pricing/',
  },
  lambdaArm64: {
    perGbSecond: 0.0000133334,
    perMillionRequests: 0.2,
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  dynamodbOnDemand: {
    perMillionWriteRequestUnits: 0.625,
    perMillionReadRequestUnits: 0.125,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ (50% cut of 2024-11-01: https://aws.amazon.com/blogs/aws/amazon-dynamodb-on-demand-no-capacity-planning-and-pay-per-request-pricing/, updated 2025-01-31)',
  },
} as const;

/** Published per-use prices of the alternatives the issue compares with, for the report's context. */
export const ALTERNATIVES = {
  cognitoPerMonthlyActiveUser: 0.015,
  twilioVerifyPerVerification: 0.05,
} as const;
