/**
 * Issue 15, item 2: a hot key. N simulated Lambda instances — each a ledger object with its own budget leases
 * and its own DynamoDB client, as each instance has — serve ONE Compose Key at 2,000 calls/s against the real
 * ledger on dynalite. Reported: writes per second on the busiest item (the key's; goal ≤ 100/s, where per-call
 * holds make two per call, 4,000/s, four times what one DynamoDB item takes), how many calls waited on
 * DynamoDB before their provider call, and the overdraw on a key that runs out mid-run (goal 0).
 *
 * Time is simulated: the clock advances 1/rate s per call, so 2,000 calls/s of simulated time is reached
 * whatever dynalite's speed on this machine. Each instance serves one call at a time (as a Lambda instance
 * does), round robin; every 10 ms of simulated time the run waits for the writes the instances started, so a
 * DynamoDB write is modeled as taking at most 10 ms. Each call holds a worst case of 2,000 atomic units and is
 * charged 20–100 % of it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables, startDynamo } from '../../infra/local/standins/dynamodb.ts';
import { createKeyLedger, newKeyId, type KeyLedger, type Ledger } from '../../shared/keys/index.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { atMost, exactly, metric, type BenchContext, type Section, type SectionResult } from '../lib/section.ts';

const HOLD = 2_000n;
const STEP_SECONDS = 0.01;

interface Instance {
  readonly ledger: KeyLedger;
  readonly client: DynamoDBClient;
  /** Its call in flight: it ends when the instance's next turn comes. */
  open?: { id: string; actual: bigint };
}

interface Run {
  readonly calls: number;
  readonly served: number;
  readonly refused: number;
  readonly charged: bigint;
  /** Writes to the key's item per simulated second. */
  readonly writesPerSecond: number[];
  readonly ledger: Ledger;
  readonly fromLease: number;
  readonly waited: number;
  readonly perCall: number;
  readonly minAvailable: bigint;
}

export const hotKeySection: Section = {
  id: 'hot-key',
  title: 'Hot key: N instances serving one Compose Key at 2,000 calls/s against the ledger',
  issue: 15,
  run: async ({ knobs, log }: BenchContext): Promise<SectionResult> => {
    const dynamo = await startDynamo();
    const admin = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const instances: Instance[] = [];
    try {
      await ensureTables(admin, 'bench');
      const tableName = physicalTableName('bench', 'ledgers');
      let clock = 1_800_000_000;
      const now = () => clock;
      const n = Math.max(1, Math.floor(knobs.hotKeyInstances));
      const rate = Math.max(1, knobs.hotKeyRate);
      /** `${key item}@${simulated second}` → writes. */
      const writes = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
        client.middlewareStack.add(
          (next, context) => async (args) => {
            // Marshalled ({ S }) or not yet (the document client's marshaller may run after this step).
            const raw = (args.input as { Key?: { pk?: string | { S?: string } } }).Key?.pk;
            const pk = typeof raw === 'string' ? raw : raw?.S;
            if (pk && /^(UpdateItem|PutItem|DeleteItem)Command$/.test(String(context.commandName))) {
              const slot = `${pk}@${Math.floor(clock)}`;
              writes.set(slot, (writes.get(slot) ?? 0) + 1);
            }
            return next(args);
          },
          { step: 'initialize', name: 'countKeyWrites' },
        );
        // No timer: a Lambda instance is frozen between calls, so everything due runs at its next call.
        instances.push({ client, ledger: createKeyLedger({ client: DynamoDBDocumentClient.from(client), tableName, now, leases: { timer: false, instanceId: `sim${i}` } }) });
      }
      const settled = async (): Promise<void> => {
        for (;;) {
          if (instances.every((x) => x.ledger.leaseStats().writing === 0)) return;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      };

      /** `stopAfterRefusals`: a key that ran dry only refuses from then on; a few hundred refusals show it. */
      const run = async (budget: bigint, seconds: number, stopAfterRefusals = Infinity): Promise<Run> => {
        const keyId = newKeyId();
        const item = `key#${keyId}`;
        const before = instances.map((x) => x.ledger.leaseStats());
        const calls = Math.round(rate * seconds);
        const perStep = Math.max(1, Math.round(rate * STEP_SECONDS));
        const startSecond = Math.floor(clock);
        let served = 0;
        let refused = 0;
        let charged = 0n;
        let minAvailable = budget;
        let seed = 0x2545f491;
        const random = () => ((seed = (seed * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32);
        for (let c = 0; c < calls; c++) {
          clock += 1 / rate;
          const inst = instances[c % n]!;
          if (inst.open) {
            await inst.ledger.settle(keyId, inst.open.id, HOLD, inst.open.actual);
            delete inst.open;
          }
          const id = `c${c}`;
          try {
            await inst.ledger.reserve(keyId, HOLD, id, { budget }, 16 * 60);
          } catch (error) {
            if ((error as { code?: string }).code !== 'insufficient_budget') throw error;
            refused += 1;
            if (refused >= stopAfterRefusals) break;
            continue;
          }
          served += 1;
          const actual = (HOLD * BigInt(20 + Math.floor(random() * 81))) / 100n;
          charged += actual;
          inst.open = { id, actual };
          if (c % perStep === perStep - 1) {
            await settled();
            if (c % (perStep * 100) === perStep * 100 - 1) {
              const l = await instances[0]!.ledger.getLedger(keyId);
              if (l && l.available < minAvailable) minAvailable = l.available;
            }
          }
        }
        // The calls in flight end; then every instance returns its leases (a clean end, for the audit).
        for (const inst of instances) {
          if (inst.open) await inst.ledger.settle(keyId, inst.open.id, HOLD, inst.open.actual);
          delete inst.open;
        }
        await settled();
        await Promise.all(instances.map((x) => x.ledger.close()));
        await settled();
        const ledger = (await instances[0]!.ledger.getLedger(keyId))!;
        if (ledger.available < minAvailable) minAvailable = ledger.available;
        const after = instances.map((x) => x.ledger.leaseStats());
        const delta = (k: 'served' | 'waited' | 'perCall') => after.reduce((sum, a, i) => sum + a[k] - before[i]![k], 0);
        const lastSecond = Math.floor(clock);
        const writesPerSecond = Array.from({ length: lastSecond - startSecond + 1 }, (_, i) => writes.get(`${item}@${startSecond + i}`) ?? 0);
        return { calls: served + refused, served, refused, charged, writesPerSecond, ledger, fromLease: delta('served'), waited: delta('waited'), perCall: delta('perCall'), minAvailable };
      };

      const seconds = knobs.hotKeySeconds;
      log(`  ${n} instances, ${rate} calls/s of simulated time for ${seconds} s on a key with budget for all of it`);
      const started = performance.now();
      const hot = await run(HOLD * BigInt(Math.round(rate * seconds)) * 10n, seconds);
      const hotWallMs = performance.now() - started;
      // A key that runs dry a quarter of the way through its run: what matters is that it never pays past its budget.
      const drySeconds = seconds / 4;
      const dryCalls = Math.round(rate * drySeconds);
      const dryBudget = (HOLD * 60n * BigInt(dryCalls)) / 100n / 4n;
      log(`  then ${dryCalls} calls on a key whose budget covers about a quarter of them`);
      const dry = await run(dryBudget, drySeconds);

      // Drop the first second (grants and the cold instances' per-call holds) from the steady-state figure.
      const steady = hot.writesPerSecond.slice(1, -1);
      const busiest = Math.max(...steady);
      const mean = steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length);
      const overdraw = (hot.charged > hot.ledger.budget ? hot.charged - hot.ledger.budget : 0n) + (dry.charged > dry.ledger.budget ? dry.charged - dry.ledger.budget : 0n);
      const negative = (hot.minAvailable < 0n ? -hot.minAvailable : 0n) + (dry.minAvailable < 0n ? -dry.minAvailable : 0n);
      const unexplained = (r: Run) => {
        const l = r.ledger;
        const gap = l.budget - l.spent - l.reserved - l.available;
        return (gap < 0n ? -gap : gap) + (l.spent > r.charged ? l.spent - r.charged : r.charged - l.spent) + l.reserved;
      };
      const waitedShare = (hot.waited + hot.perCall) / Math.max(1, hot.served + hot.refused);

      return {
        metrics: [
          metric('instances', n, 'count'),
          metric('calls per second (simulated time)', rate, 'rps'),
          metric('calls on the hot key', hot.calls, 'count', { note: `${hot.served} served, ${hot.refused} refused` }),
          metric('writes/s on the busiest item, busiest second (steady state)', busiest, 'rps', { target: atMost(100), note: 'per-call holds: 2 writes per call, i.e. 4,000/s at 2,000 calls/s' }),
          metric('writes/s on the busiest item, mean (steady state)', mean, 'rps'),
          metric('writes/s on the busiest item, first second (grants, cold instances)', hot.writesPerSecond[0] ?? 0, 'rps'),
          metric('calls served from a lease with no DynamoDB round trip', hot.fromLease / Math.max(1, hot.calls), 'ratio'),
          metric('calls that waited on DynamoDB before their provider call', waitedShare, 'ratio', { note: `${hot.perCall} per-call holds (cold instances), ${hot.waited} waited on a lease re-check` }),
          metric('overdraw: atomic units charged past a budget', Number(overdraw + negative), 'count', { target: exactly(0) }),
          metric('key that ran dry: calls served', dry.served, 'count', { note: `${dry.refused} refused with insufficient_budget` }),
          metric('key that ran dry: share of its budget spent by the end', Number((dry.ledger.spent * 10_000n) / dry.ledger.budget) / 10_000, 'ratio', { note: 'refusals while other instances’ leases still hold budget last until their next write (≤ 2 s) shrinks them' }),
          metric('ledgers: unexplained atomic units after the leases return (spent vs charged, budget = spent + reserved + available)', Number(unexplained(hot) + unexplained(dry)), 'count', { target: exactly(0) }),
          metric('wall time of the hot-key run', hotWallMs / 1000, 'count', { note: 'seconds; dynalite on this machine, simulated time is what the rates count' }),
        ],
        details: { hot: { ...hot, charged: hot.charged.toString(), minAvailable: hot.minAvailable.toString(), ledger: undefined }, dry: { ...dry, charged: dry.charged.toString(), minAvailable: dry.minAvailable.toString(), ledger: undefined } },
        notes: [
          `Simulated time: the clock advances 1/${rate} s per call and the run waits for the instances' writes every 10 ms of it (a DynamoDB write modeled as ≤ 10 ms); dynalite need not keep up in real time. ${n} instances each serve one call at a time, round robin; each call holds ${HOLD} atomic units and is charged 20–100 % of it.`,
          'Writes are counted per item and simulated second through each instance’s own DynamoDB client; the busiest item is the key’s. The first second (leases being granted after each cold instance’s first per-call hold) is reported apart.',
          'The dry key’s budget covers about a quarter of its calls: it must refuse the rest with insufficient_budget and never pay past its budget; both ledgers must equal what the calls were charged once the leases return.',
        ],
      };
    } finally {
      for (const x of instances) x.client.destroy();
      admin.destroy();
      await dynamo.close();
    }
  },
};
