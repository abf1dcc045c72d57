/**
 * A Step Functions stand-in: the part of the SFN API the gateway calls (StartExecution, StopExecution) plus
 * what tests and people look at (DescribeExecution, GetExecutionHistory, ListExecutions), spoken over the real
 * AWS JSON 1.0 protocol, so the production SFN client reaches it through `AWS_ENDPOINT_URL_SFN` unchanged.
 * Executions run the deployed definition in aws-local-stepfunctions; each Task's Lambda ARN maps to a local
 * handler, invoked the way Lambda invokes it (JSON in, JSON out, an error's name as its type).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

export type LocalTaskHandler = (input: unknown) => Promise<unknown>;

export interface LocalStateMachine {
  readonly arn: string;
  /** The definition JSON with every ARN already filled in, exactly as deployed. */
  readonly definition: string;
}

export interface LocalStepFunctionsOptions {
  readonly stateMachines: readonly LocalStateMachine[];
  /** Lambda ARN → the handler that stands in for the function. Resolved on first use. */
  readonly handlers: Readonly<Record<string, () => Promise<LocalTaskHandler>>>;
  /** Shortens every Wait state to this many milliseconds (tests); the definition itself is unchanged. */
  readonly waitMs?: number;
  /** Shortens every Retry interval to this many milliseconds (tests). */
  readonly retryMs?: number;
}

type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface HistoryEvent {
  readonly id: number;
  readonly timestamp: number;
  readonly type: string;
  readonly stateEnteredEventDetails?: { readonly name: string };
}

interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  status: Status;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  readonly history: HistoryEvent[];
  abort?: () => void;
  done: Promise<void>;
}

export interface LocalStepFunctions {
  readonly endpoint: string;
  /** Resolves when the named execution is no longer running (tests wait on it instead of sleeping). */
  settled(executionArn: string): Promise<void>;
  close(): Promise<void>;
}

class SfnError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const seconds = (ms: number): number => ms / 1000;
const executionArnOf = (stateMachineArn: string, name: string): string => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

const stateTypes = (definition: StateMachineDefinition): Record<string, string> =>
  Object.fromEntries(Object.entries(definition.States).map(([name, state]) => [name, (state as { Type: string }).Type]));

export const startLocalStepFunctions = async (options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> => {
  // Validating a definition compiles the ASL schema (a second or two of CPU): once per machine, not per execution.
  const machines = new Map(
    options.stateMachines.map((m) => {
      const definition = JSON.parse(m.definition) as StateMachineDefinition;
      return [m.arn, { definition, machine: new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } }) }] as const;
    }),
  );
  const executions = new Map<string, Execution>();
  const resolved = new Map<string, LocalTaskHandler>();

  /** Calls the function the way Lambda would: a JSON copy in, a JSON copy out. */
  const invoke = async (arn: string, input: unknown): Promise<unknown> => {
    let handler = resolved.get(arn);
    if (!handler) {
      const load = options.handlers[arn];
      if (!load) throw Object.assign(new Error(`Function not found: ${arn}`), { name: 'Lambda.ResourceNotFoundException' });
      handler = await load();
      resolved.set(arn, handler);
    }
    const output = await handler(JSON.parse(JSON.stringify(input)));
    return output === undefined ? null : JSON.parse(JSON.stringify(output));
  };

  const run = (stateMachineArn: string, { definition, machine }: { definition: StateMachineDefinition; machine: StateMachine }, name: string, input: string): Execution => {
    const executionArn = executionArnOf(stateMachineArn, name);
    const types = stateTypes(definition);
    const tasks = Object.entries(definition.States).filter(([, state]) => (state as { Type: string }).Type === 'Task');
    const waits = Object.keys(types).filter((state) => types[state] === 'Wait');
    const startDate = Date.now();
    const execution: Execution = { executionArn, stateMachineArn, name, input, startDate, status: 'RUNNING', history: [], done: Promise.resolve() };
    const record = (type: string, stateName?: string): void => {
      execution.history.push({ id: execution.history.length + 1, timestamp: seconds(Date.now()), type, ...(stateName ? { stateEnteredEventDetails: { name: stateName } } : {}) });
    };
    record('ExecutionStarted');
    const running = machine.run(JSON.parse(input), {
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(tasks.map(([state, definition]) => [state, (taskInput) => invoke((definition as { Resource: string }).Resource, taskInput) as never])),
        ...(options.waitMs !== undefined ? { waitTimeOverrides: Object.fromEntries(waits.map((state) => [state, options.waitMs!])) } : {}),
        ...(options.retryMs !== undefined ? { retryIntervalOverrides: Object.fromEntries(tasks.map(([state]) => [state, options.retryMs!])) } : {}),
      },
      context: { Execution: { Id: executionArn, Name: name, Input: JSON.parse(input), StartTime: new Date(startDate).toISOString() } },
    });
    execution.abort = running.abort;
    const logging = (async () => {
      for await (const event of running.eventLogs) {
        if (event.type === 'StateEntered') record(`${types[event.state.name] ?? 'State'}StateEntered`, event.state.name);
        else if (event.type === 'StateRetried') record('TaskStateRetried', event.state.name);
        else if (event.type === 'StateCaught') record('TaskStateCaught', event.state.name);
      }
    })().catch(() => undefined);
    execution.done = running.result.then(
      (output) => {
        execution.status = 'SUCCEEDED';
        execution.output = JSON.stringify(output);
      },
      (error: Error) => {
        if (execution.status === 'ABORTED') return;
        execution.status = error.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
        const cause = (error as { cause?: { name?: string; message?: string } }).cause;
        execution.error = cause?.name ?? error.name;
        execution.cause = cause?.message ?? error.message;
      },
    ).then(async () => {
      await logging;
      execution.stopDate ??= Date.now();
      record(`Execution${execution.status === 'SUCCEEDED' ? 'Succeeded' : execution.status === 'ABORTED' ? 'Aborted' : execution.status === 'TIMED_OUT' ? 'TimedOut' : 'Failed'}`);
    });
    return execution;
  };

  const find = (executionArn: unknown): Execution => {
    const execution = typeof executionArn === 'string' ? executions.get(executionArn) : undefined;
    if (!execution) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(executionArn)}'`);
    return execution;
  };

  const describe = (e: Execution) => ({
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: seconds(e.startDate),
    ...(e.stopDate ? { stopDate: seconds(e.stopDate) } : {}),
    input: e.input,
    ...(e.output !== undefined ? { output: e.output } : {}),
    ...(e.error !== undefined ? { error: e.error, cause: e.cause } : {}),
  });

  const actions: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution: ({ stateMachineArn, name, input }) => {
      const definition = typeof stateMachineArn === 'string' ? machines.get(stateMachineArn) : undefined;
      if (!definition) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(stateMachineArn)}'`);
      const executionName = typeof name === 'string' ? name : crypto.randomUUID();
      if (!NAME.test(executionName)) throw new SfnError('InvalidName', `Invalid Name: '${executionName}'`);
      const text = typeof input === 'string' ? input : '{}';
      const arn = executionArnOf(stateMachineArn as string, executionName);
      const existing = executions.get(arn);
      // As in Step Functions: the same name and input while running is the same execution; anything else is refused.
      if (existing) {
        if (existing.status === 'RUNNING' && existing.input === text) return { executionArn: arn, startDate: seconds(existing.startDate) };
        throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
      }
      const execution = run(stateMachineArn as string, definition, executionName, text);
      executions.set(arn, execution);
      return { executionArn: arn, startDate: seconds(execution.startDate) };
    },
    StopExecution: ({ executionArn, error, cause }) => {
      const execution = find(executionArn);
      if (execution.status === 'RUNNING') {
        execution.status = 'ABORTED';
        execution.stopDate = Date.now();
        if (typeof error === 'string') execution.error = error;
        if (typeof cause === 'string') execution.cause = cause;
        execution.abort?.();
      }
      return { stopDate: seconds(execution.stopDate ?? Date.now()) };
    },
    DescribeExecution: ({ executionArn }) => describe(find(executionArn)),
    GetExecutionHistory: ({ executionArn }) => ({ events: find(executionArn).history }),
    ListExecutions: ({ stateMachineArn }) => ({
      executions: [...executions.values()].filter((e) => e.stateMachineArn === stateMachineArn).map((e) => ({ ...describe(e), input: undefined })),
    }),
  };

  const reply = (res: ServerResponse, status: number, body: unknown, errorType?: string): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const action = String(req.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
    const run = actions[action];
    if (!run) return reply(res, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${action}` }, 'UnknownOperationException');
    try {
      reply(res, 200, run(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>));
    } catch (error) {
      if (error instanceof SfnError) return reply(res, 400, { __type: error.type, message: error.message }, error.type);
      reply(res, 500, { __type: 'InternalFailure', message: (error as Error).message }, 'InternalFailure');
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    settled: async (executionArn) => {
      await find(executionArn).done;
    },
    close: async () => {
      for (const execution of executions.values()) {
        if (execution.status === 'RUNNING') {
          execution.status = 'ABORTED';
          execution.abort?.();
        }
      }
      await Promise.all([...executions.values()].map((e) => e.done.catch(() => undefined)));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
