/**
 * The AWS SDK's user-agent middleware rebuilds two headers on every request: it awaits the default user agent,
 * checks the request's features (credentials, retry mode, account id), escapes each part and adds an `m/…` list of
 * the features the request used. That is ~10 % of a DynamoDB PutItem's CPU here (measured: ~80–130 µs of
 * ~0.7–1.1 ms per request, alternating clients in one process). This replaces it, per client, with one that sets
 * the same headers from a value built once: the SDK's own default user agent and any custom one, without the
 * per-request feature list (a usage statistic for AWS, not read by any service). Requests still say which SDK,
 * version, runtime and service sent them.
 */

type UserAgentPair = readonly [name: string, version?: string];

/** What this needs of an SDK v3 client (every generated client has it). */
export interface UserAgentClient {
  readonly config: {
    readonly defaultUserAgentProvider: () => Promise<readonly UserAgentPair[]>;
    readonly customUserAgent?: readonly UserAgentPair[];
  };
  // The SDK's add is overloaded per step; any of them takes a build-step middleware.
  readonly middlewareStack: { remove(name: string): boolean; add(...args: never[]): void };
}

interface HandlerArgs {
  readonly request?: { headers?: Record<string, string> };
}

type BuildMiddleware = (next: (args: HandlerArgs) => Promise<unknown>) => (args: HandlerArgs) => Promise<unknown>;

/** The SDK's own middleware, by the name it registers (@aws-sdk/core, user-agent). */
const SDK_USER_AGENT_MIDDLEWARE = 'getUserAgentMiddleware';

// Header values may carry only these (RFC 7230 tchar; '#' and '/' separate a part's name and version).
const unsafe = /[^!$%&'*+\-.^_`|~\w#/]/g;

/**
 * `name/version`, or `prefix/name#version` when the name already has a prefix (`os/linux#6.8`), as the SDK writes
 * them; like the SDK, service names (`api/DynamoDB`) in lower case.
 */
const formatPair = ([name, version]: UserAgentPair): string => {
  const shown = name.startsWith('api/') ? name.toLowerCase() : name;
  return (version ? `${shown}${shown.includes('/') ? '#' : '/'}${version}` : shown).replace(unsafe, '-');
};

/** The two headers, as the SDK sets them in Node: `user-agent` with every part, `x-amz-user-agent` with the SDK's own. */
export const userAgentHeaders = (pairs: readonly UserAgentPair[], custom: readonly UserAgentPair[] = []): { 'user-agent': string; 'x-amz-user-agent': string } => {
  const parts = [...pairs, ...custom].map(formatPair);
  const sdk = [...pairs.map(formatPair).filter((part) => part.startsWith('aws-sdk-')), ...custom.map(formatPair)];
  return { 'user-agent': parts.join(' '), 'x-amz-user-agent': sdk.join(' ') };
};

/** Swaps the client's per-request user-agent middleware for one that sets headers built on the client's first request. */
export const withStaticUserAgent = <C extends UserAgentClient>(client: C): C => {
  let headers: ReturnType<typeof userAgentHeaders> | undefined;
  client.middlewareStack.remove(SDK_USER_AGENT_MIDDLEWARE);
  const add = client.middlewareStack.add.bind(client.middlewareStack) as (middleware: BuildMiddleware, options: Record<string, unknown>) => void;
  add(
    (next) => async (args) => {
      const target = args.request?.headers;
      if (target) {
        headers ??= userAgentHeaders(await client.config.defaultUserAgentProvider(), client.config.customUserAgent);
        target['user-agent'] = headers['user-agent'];
        target['x-amz-user-agent'] = headers['x-amz-user-agent'];
      }
      return next(args);
    },
    // Where the SDK's own runs: after the request is built, before it is signed (x-amz-user-agent is signed).
    { name: 'staticUserAgent', step: 'build', priority: 'low', override: true },
  );
  return client;
};
