// docs/feeds.md and examples/feeds/ are generated from the mappings; this fails when they are stale.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FEEDS, feedMapping } from '../../src/feeds/mappings.ts';
import { readFeedFile } from '../../src/feeds/parse.ts';
import { validateRecord } from '../../src/feeds/validate.ts';
import { exampleFeeds, exampleFile, exampleFileName, feedsMarkdown } from '../../src/population/docs.ts';

const root = new URL('../../', import.meta.url);
const STALE = 'out of date: run `node src/cli/feed-docs.ts` and commit docs/feeds.md and examples/feeds/';

describe('feed documentation', () => {
  it('documents every feed and every column, as generated from the mappings', () => {
    const doc = readFileSync(new URL('docs/feeds.md', root), 'utf8');
    expect(doc, STALE).toBe(feedsMarkdown());
    for (const feed of FEEDS) {
      expect(doc).toContain(`## ${feed.id}\n`);
      for (const column of feed.columns) expect(doc).toContain(`| \`${column.column}\` |`);
    }
  });

  it('has an example file per feed whose rows all import cleanly', async () => {
    for (const feed of exampleFeeds()) {
      const path = new URL(`examples/feeds/${exampleFileName(feed)}`, root);
      expect(readFileSync(path, 'utf8'), `${feed.id}: ${STALE}`).toBe(exampleFile(feed));
      let rows = 0;
      for await (const item of readFeedFile(path.pathname)) {
        rows++;
        const checked = validateRecord(feedMapping(feed.id)!, item.rowNo, item.record!);
        expect('row' in checked, `${feed.id} row ${item.rowNo}`).toBe(true);
      }
      expect(rows, feed.id).toBeGreaterThanOrEqual(5);
    }
  });
});
