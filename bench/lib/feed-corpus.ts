/** The real feeds of ../shared/feeds (parser test suites), as the parser tests and the sources bench read them. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every feed file under `corpus`, relative to it and sorted; feedsmith's `.json` files are its expected outputs, not feeds. */
export function feedCorpusFiles(corpus: string): string[] {
  return readdirSync(corpus, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((folder) =>
      readdirSync(join(corpus, folder.name))
        .filter((name) => /\.(xml|rss|atom|json)$/.test(name))
        .filter((name) => !(name.endsWith('.json') && existsSync(join(corpus, folder.name, name.replace(/\.json$/, '.xml')))))
        .map((name) => join(folder.name, name)),
    )
    .sort();
}
