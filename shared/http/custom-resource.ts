/**
 * The answer a Lambda-backed CloudFormation custom resource owes: a PUT of a small JSON document to
 * the pre-signed S3 URL of the request. Without it the stack waits an hour, so callers answer on every
 * path, failures included.
 */
export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
}

/** Whether a Lambda event is a CloudFormation custom resource request. */
export function isCustomResourceEvent(event: unknown): event is CustomResourceEvent {
  if (typeof event !== 'object' || event === null) return false;
  const candidate = event as Record<string, unknown>;
  return typeof candidate.RequestType === 'string' && typeof candidate.ResponseURL === 'string' && typeof candidate.StackId === 'string';
}

/** Sends the outcome; `reason` is shown in the stack events, so it never carries a secret. */
export async function answerCustomResource(
  event: CustomResourceEvent,
  outcome: { status: 'SUCCESS' | 'FAILED'; physicalResourceId: string; reason?: string; data?: Record<string, string> },
  send: typeof fetch = fetch,
): Promise<void> {
  const body = JSON.stringify({
    Status: outcome.status,
    Reason: outcome.reason ?? outcome.status,
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...(outcome.data ? { Data: outcome.data } : {}),
  });
  // The pre-signed URL is signed for an empty content type.
  const response = await send(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`CloudFormation response was refused: HTTP ${response.status}`);
}
