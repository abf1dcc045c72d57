/**
 * Responses API Gateway makes itself (throttling, oversized bodies, integration failures, unmatched paths)
 * in the OpenAI error shape `{error:{message,type,code}}` that our handlers use.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';

/**
 * Gateway-response templates substitute `$context` variables but run no VTL logic, so codes are fixed per
 * type; `details` names the gateway's own response type and request id for support.
 */
const errorTemplate = (type: string, code: string, message = '$context.error.messageString') =>
  `{"error":{"message":${message},"type":"${type}","code":"${code}","param":null,"details":{"gateway_response":"$context.error.responseType","request_id":"$context.requestId"}}}`;

export const GATEWAY_RESPONSES: ReadonlyArray<{ type: apigw.ResponseType; status?: string; template: string }> = [
  { type: apigw.ResponseType.DEFAULT_4XX, template: errorTemplate('invalid_request_error', 'invalid_request') },
  { type: apigw.ResponseType.DEFAULT_5XX, template: errorTemplate('api_error', 'internal_error') },
  // Reached only if a request matches no resource at all; the router answers these itself, with the same code.
  { type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, status: '404', template: errorTemplate('not_found_error', 'route_not_found', '"Unknown route."') },
  { type: apigw.ResponseType.THROTTLED, status: '429', template: errorTemplate('rate_limit_error', 'rate_limit_exceeded') },
  { type: apigw.ResponseType.QUOTA_EXCEEDED, status: '429', template: errorTemplate('rate_limit_error', 'quota_exceeded') },
  { type: apigw.ResponseType.REQUEST_TOO_LARGE, status: '413', template: errorTemplate('invalid_request_error', 'request_too_large') },
  { type: apigw.ResponseType.INTEGRATION_TIMEOUT, status: '504', template: errorTemplate('api_error', 'gateway_timeout') },
];
