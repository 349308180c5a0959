/**
 * `gazette subscribers`: the operator's list management, on the local state database (default; the
 * subscribers file is read-only seed input) or on a deployed stack's DynamoDB table (`--table NAME`).
 *
 * CSV is read with csv-parse and written with csv-stringify (quoting, embedded commas and newlines, BOMs
 * from spreadsheet exports: a format with that many corner cases wants its own library).
 */
import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { SqliteSubscribers } from '../../adapters/local/local-subscriptions.js';
import { localLayout } from '../../adapters/local/layout.js';
import { openLocalState } from '../../adapters/local/local-state.js';
import { ConfigError, InvalidAddressError } from '../../core/errors.js';
import { compareCodePoints } from '../../core/publish/digest.js';
import type { SubscriberStatus } from '../../core/model.js';
import {
  addSubscriber,
  importSubscribers,
  listSubscribers,
  OperatorInputError,
  removeSubscriber,
  type ImportRow,
  type OperatorDeps,
} from '../../core/subscriptions/operator.js';
import type { SubscriberRecord } from '../../core/subscriptions/ports.js';
import { type ActionInvocation, parseActionCommand, write } from '../action-command.js';
import { EXIT_CODES, type CommandIo } from '../cli-errors.js';
import { DEFAULT_AWS_REGION, LOCAL_ENV, type SubscriberIdKeySource } from '../../shared/env.js';
import { ENV } from '../../shared/env-names.js';
import { loadOrCreateSubscriberIdKey } from '../../adapters/local/file-keyring.js';

/** Same default as `gazette publish --subscribers`, so the two commands work on one list. */
export const DEFAULT_SUBSCRIBERS_FILE = 'subscribers.example.json';

/** Same default as `gazette publish --out`: the list lives in `<out>/state/gazette.sqlite`. */
export const DEFAULT_OUT = 'out';

const USAGE = `usage: gazette subscribers <action> [options]

Actions:
  list                       every subscriber with its status (--json: one JSON object a line)
  add EMAIL --note TEXT      add as confirmed; TEXT records the consent, e.g. "consent: paper form 2025-05-01"
  import FILE.csv [--note TEXT]
                             add each row of a CSV with an "email" column (optional "note" column;
                             --note is used for rows without one); bad rows are reported by line
  export                     CSV of every subscriber to stdout
  remove EMAIL               delete the address's record (erasure)

Where the list lives:
  --file PATH                read-only seed list (JSON)      default: ${DEFAULT_SUBSCRIBERS_FILE}
  --out DIR                  local list in DIR/state/gazette.sqlite  default: ${DEFAULT_OUT}
  --table NAME               a deployed stack's subscribers table (DynamoDB; uses AWS credentials)
  --region REGION            with --table                    default: $AWS_REGION or ${DEFAULT_AWS_REGION}
  --endpoint URL             with --table: a DynamoDB emulator (default: $${LOCAL_ENV.dynamodbEndpoint})
  --id-secret ARN            with --table, for add, import and remove: the stack's SubscriberIdSecretArn
                             output (default: $${ENV.subscriberIdSecretArn}); ids are keyed with it

Statuses: pending (waiting for confirmation), confirmed (receives digests), unsubscribed, bounced,
complained. Adding never overrides unsubscribed, bounced or complained.
`;

const EXPORT_COLUMNS = ['id', 'email', 'status', 'source', 'consentNote', 'statusReason', 'createdAt', 'confirmedAt', 'updatedAt'] as const;
const STATUS_ORDER: readonly SubscriberStatus[] = ['confirmed', 'pending', 'unsubscribed', 'bounced', 'complained'];

/**
 * Spreadsheets run a cell that starts with = + - @ as a formula (CSV injection); free-text columns get
 * a leading apostrophe on export, which spreadsheets hide and `import` strips again.
 */
function quoteFormulaCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Undoes `quoteFormulaCell` on import, so an exported list re-imports to the same addresses and notes. */
function unquoteFormulaCell(value: string): string {
  return /^'[=+\-@]/.test(value) ? value.slice(1) : value;
}

/** Rows of an import CSV: a header row naming an `email` column (any case), optionally `note`. */
export function parseImportCsv(text: string, source: string): ImportRow[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(text, {
      bom: true,
      columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as { record: Record<string, string>; info: { lines: number } }[];
  } catch (error) {
    throw new ConfigError(`${source}: not a readable CSV file (${(error as Error).message})`);
  }
  if (records.length > 0 && !Object.hasOwn(records[0]?.record ?? {}, 'email')) {
    throw new ConfigError(`${source}: the first row must name the columns, one of them "email"`);
  }
  return records.map(({ record, info }) => {
    const note = record.note ?? record.consent;
    return { line: info.lines, email: unquoteFormulaCell(record.email ?? ''), ...(note ? { note: unquoteFormulaCell(note) } : {}) };
  });
}

function tableLine(record: SubscriberRecord): string {
  const updated = (record.updatedAt ?? record.createdAt ?? '').slice(0, 10) || '-';
  return [record.status.padEnd(12), record.email.padEnd(40), (record.source ?? '-').padEnd(8), updated.padEnd(10), record.consentNote ?? '']
    .join(' ')
    .trimEnd();
}

/**
 * Where `--table` finds the subscriber id key: `--id-secret`, else the deployed name's variable, else
 * (emulators, tests) the key itself in ${LOCAL_ENV.subscriberIdKey}.
 */
function tableIdKeySource(flag: string | undefined): SubscriberIdKeySource {
  const secretArn = flag ?? process.env[ENV.subscriberIdSecretArn];
  if (secretArn) return { kind: 'secret', secretArn };
  const value = process.env[LOCAL_ENV.subscriberIdKey];
  if (value) return { kind: 'inline', value };
  throw new ConfigError(
    `with --table, this action needs the subscriber id key: --id-secret ARN (the stack's SubscriberIdSecretArn output)`,
  );
}

const OPTIONS = {
  file: { type: 'string' },
  out: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'id-secret': { type: 'string' },
  note: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean' },
} as const;

/** The flags of `gazette subscribers`, as parsed. */
type Flags = ActionInvocation<typeof OPTIONS>['values'];

/** The list an action works on, wherever it lives. */
interface SubscriberList {
  store: OperatorDeps['store'];
  /** Asked only by the actions that turn an address into an id (listing needs no key). */
  idKey(): Promise<string>;
  /**
   * Many changes in one go: DynamoDB takes them one conditional write at a time; the local store
   * applies them to one copy and writes the changes in one transaction.
   */
  batch<T>(work: (store: OperatorDeps['store']) => Promise<T>): Promise<T>;
  close(): void;
}

/** What one action is given: the list, its operand, the flags, the time and where to print. */
interface ActionContext {
  list: SubscriberList;
  operand: string;
  values: Flags;
  now: Date;
  io: CommandIo;
}

/** A deployed stack's table (`--table`) or the local state database. */
async function openSubscriberList(values: Flags, io: CommandIo): Promise<SubscriberList> {
  if (values.table) {
    // Imported here, so a local list never loads the AWS SDK.
    const { awsSubscriberTable } = await import('../../composition/aws.js');
    const deployed = awsSubscriberTable({ ...values, table: values.table }, () => tableIdKeySource(values['id-secret']));
    return { ...deployed, batch: (work) => work(deployed.store) };
  }
  const warn = (message: string): void => void io.stderr.write(`gazette subscribers: warning: ${message}\n`);
  const state = openLocalState(localLayout(values.out ?? DEFAULT_OUT), { warn });
  const localKey = await loadOrCreateSubscriberIdKey(state, { create: true });
  const local = new SqliteSubscribers(state, { seedFile: values.file ?? DEFAULT_SUBSCRIBERS_FILE, warn, idKey: localKey });
  return { store: local, idKey: async () => localKey, batch: (work) => local.batch(work), close: () => state.close() };
}

/** `list`: a table (or JSON lines), confirmed first, then by address; a count by status at the end. */
async function listAction({ list, values, io }: ActionContext): Promise<number> {
  const records = await listSubscribers({ store: list.store });
  const ordered = [...records].sort(
    (a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || compareCodePoints(a.email, b.email),
  );
  // One write for the whole listing: a write per row costs a round trip each on a pipe.
  if (values.json) {
    await write(io.stdout, ordered.map((record) => `${JSON.stringify(record)}\n`).join(''));
    return EXIT_CODES.ok;
  }
  await write(io.stdout, ordered.map((record) => `${tableLine(record)}\n`).join(''));
  const counts = STATUS_ORDER.map((status) => `${records.filter((record) => record.status === status).length} ${status}`);
  await write(io.stdout, `${records.length} subscriber(s): ${counts.join(', ')}\n`);
  return EXIT_CODES.ok;
}

/** `export`: every subscriber as CSV, free-text cells guarded against formula injection. */
async function exportAction({ list, io }: ActionContext): Promise<number> {
  const records = await listSubscribers({ store: list.store });
  const rows = records.map((record) =>
    EXPORT_COLUMNS.map((column) => {
      const value = record[column] ?? '';
      return column === 'consentNote' || column === 'statusReason' || column === 'email' ? quoteFormulaCell(value) : value;
    }),
  );
  await write(io.stdout, stringifyCsv([[...EXPORT_COLUMNS], ...rows], { record_delimiter: 'unix' }));
  return EXIT_CODES.ok;
}

/** `add EMAIL --note TEXT`: one address, as confirmed, with the consent note. */
async function addAction({ list, operand, values, now, io }: ActionContext): Promise<number> {
  const result = await addSubscriber({ store: list.store, idKey: await list.idKey() }, { email: operand, note: values.note }, now);
  const said = { added: 'added as confirmed', confirmed: 'was pending, now confirmed', unchanged: `left as ${result.status}` }[
    result.outcome
  ];
  await write(io.stdout, `${result.email}: ${said}\n`);
  return EXIT_CODES.ok;
}

/** `import FILE.csv`: every good row in one batch; bad rows reported by line (exit 3 when any). */
async function importAction({ list, operand, values, now, io }: ActionContext): Promise<number> {
  const rows = parseImportCsv(await readFile(operand, 'utf8'), operand);
  const key = await list.idKey();
  const report = await list.batch((batched) => importSubscribers({ store: batched, idKey: key }, rows, values.note, now));
  for (const rejected of report.rejected) await write(io.stderr, `gazette subscribers: ${operand}:${rejected.line}: ${rejected.reason}\n`);
  const count = (outcome: string) => report.results.filter((result) => result.outcome === outcome).length;
  await write(
    io.stdout,
    `${count('added')} added, ${count('confirmed')} confirmed, ${count('unchanged')} unchanged, ${report.rejected.length} rejected\n`,
  );
  return report.rejected.length > 0 ? EXIT_CODES.partial : EXIT_CODES.ok;
}

/** `remove EMAIL`: erases the record; warns that SES's suppression list outlives a bounced one. */
async function removeAction({ list, operand, io }: ActionContext): Promise<number> {
  const removed = await removeSubscriber({ store: list.store, idKey: await list.idKey() }, operand);
  if (!removed) {
    await write(io.stdout, 'not on the list; nothing removed\n');
    return EXIT_CODES.ok;
  }
  await write(io.stdout, `${removed.email}: removed (was ${removed.status})\n`);
  if (removed.status === 'bounced' || removed.status === 'complained') {
    await write(
      io.stderr,
      `gazette subscribers: warning: the ${removed.status} status is forgotten with the record; SES's suppression list still blocks the address\n`,
    );
  }
  return EXIT_CODES.ok;
}

const ACTIONS = { list: listAction, export: exportAction, add: addAction, import: importAction, remove: removeAction } as const;

/** Runs `gazette subscribers …`; returns the exit code. */
export async function subscribersCommand(args: string[], io: CommandIo): Promise<number> {
  const parsed = await parseActionCommand(args, io, {
    command: 'subscribers',
    usage: USAGE,
    arity: { list: 0, export: 0, add: 1, import: 1, remove: 1 },
    options: OPTIONS,
  });
  if (typeof parsed === 'number') return parsed;
  const { action, operands, values } = parsed;
  if (values.file && values.table) {
    await write(io.stderr, 'gazette subscribers: use either --file or --table, not both\n');
    return EXIT_CODES.usage;
  }
  const list = await openSubscriberList(values, io);
  try {
    return await ACTIONS[action as keyof typeof ACTIONS]({ list, operand: operands[0] ?? '', values, now: new Date(), io });
  } catch (error) {
    if (error instanceof InvalidAddressError) {
      await write(io.stderr, `gazette subscribers: invalid email address (${error.reason})\n`);
      return EXIT_CODES.usage;
    }
    if (error instanceof OperatorInputError || error instanceof ConfigError) {
      await write(io.stderr, `gazette subscribers: ${error.message}\n`);
      return EXIT_CODES.usage;
    }
    throw error;
  } finally {
    list.close();
  }
}
