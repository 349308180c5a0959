import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishCommand } from '../../functions/cli/commands/publish.js';
import { EXIT_CODES } from '../../functions/cli/cli-errors.js';
import { memoryIo } from '../fakes/memory-io.js';

const repoRoot = join(import.meta.dirname, '../..');
const SECRET = 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI-not-for-readers';

let work: string;
let seeds: string;
let out: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'gazette-hostile-'));
  seeds = join(work, 'seeds');
  out = join(work, 'out');
  await cp(join(repoRoot, 'seeds'), seeds, { recursive: true });
  await writeFile(join(work, '.env'), `${SECRET}\nAnother line of the secret file that reads like a sentence.\n`);
  await writeFile(join(work, 'subscribers.json'), JSON.stringify([{ email: 'reader@example.com', status: 'confirmed' }]));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs `gazette publish` on the test's folder, as `npm start` would with these paths. */
async function publishSeeds(): Promise<{ io: ReturnType<typeof memoryIo>; code: number }> {
  const io = memoryIo();
  const args = ['--seeds', seeds, '--out', out, '--subscribers', join(work, 'subscribers.json'), '--now', '2025-05-09T12:00:00Z'];
  return { io, code: await publishCommand(args, io) };
}

/** Every byte the run wrote (site, feeds, mails, state), as one string. */
async function everythingWritten(): Promise<string> {
  const parts: string[] = [];
  for (const entry of await readdir(out, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name), 'latin1'));
  }
  return parts.join('\n');
}

describe('an article folder with links and FIFOs in it', () => {
  it('reads nothing outside the folder, never waits on a FIFO, names each refused entry, and publishes the rest', async () => {
    await symlink(join(work, '.env'), join(seeds, 'readme.txt'));
    await symlink('/etc/passwd', join(seeds, 'passwd.txt'));
    await symlink('../../etc/os-release', join(seeds, 'release.md'));
    // Inside the folder, but a link all the same: the target is read as itself, never twice.
    await writeFile(join(seeds, 'inside.txt'), 'A story that happens to live in the folder. It is read once.');
    await symlink('inside.txt', join(seeds, 'alias.txt'));
    execFileSync('mkfifo', [join(seeds, 'pipe.txt'), join(work, 'outside-pipe')]);
    // Opening this through the link used to block the run forever, waiting for a writer.
    await symlink(join(work, 'outside-pipe'), join(seeds, 'piped.txt'));

    const { io, code } = await publishSeeds();

    expect(code).toBe(EXIT_CODES.partial);
    const err = io.err();
    for (const name of ['readme.txt', 'passwd.txt', 'release.md', 'alias.txt', 'piped.txt']) {
      expect(err).toMatch(new RegExp(`article error: ${name.replace('.', '\\.')}: a symbolic link`));
    }
    expect(err).toMatch(/article error: pipe\.txt: not a regular file/);
    expect(io.out()).toContain('Digests: 2 new');
    const written = await everythingWritten();
    expect(written).not.toContain('wJalrXUtnFEMI');
    expect(written).not.toContain('root:x:0:0');
    expect(written).not.toMatch(/PRETTY_NAME|VERSION_ID/);
    expect(written).toContain('Chinese President Xi Jinping');
  });
});

describe('file names with control characters', () => {
  it('are printed escaped: an escape sequence in a name cannot clear the screen or fake a line', async () => {
    await writeFile(join(seeds, 'evil\u001b[2J\u001b[Hname\nfake.txt'), '');
    await writeFile(join(seeds, '\u202Etxt.exe'), '');
    const { io, code } = await publishSeeds();
    expect(code).toBe(EXIT_CODES.partial);
    const err = io.err();
    expect(err).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/u);
    expect(err).toContain('article error: evil\\x1b[2J\\x1b[Hname\\x0afake.txt: ');
    expect(err).toContain('article error: \\u202etxt.exe: ');
    expect(
      err
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('article error: ')),
    ).toHaveLength(2);
  });
});
