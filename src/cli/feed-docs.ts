// node src/cli/feed-docs.ts: regenerates docs/feeds.md and examples/feeds/ from the feed mappings and the
// population generator. Run it after changing src/feeds/mappings.ts; the docs test says when it is due.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exampleFeeds, exampleFile, exampleFileName, feedsMarkdown } from '../population/docs.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
mkdirSync(join(root, 'examples', 'feeds'), { recursive: true });
const feeds = exampleFeeds();
for (const mapping of feeds) writeFileSync(join(root, 'examples', 'feeds', exampleFileName(mapping)), exampleFile(mapping));
writeFileSync(join(root, 'docs', 'feeds.md'), feedsMarkdown());
console.log(`wrote docs/feeds.md and ${feeds.length} files in examples/feeds/`);
