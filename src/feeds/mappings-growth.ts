// Feeds carrying the facts of the 企业成长 policies (src/dictionary/facts-growth.ts). A feed here
// needs no generator: the demo fills it with the subjects planted from the policies' test cases.
import type { FeedMapping } from './mapping-kit.ts';

export const GROWTH_FEEDS: readonly FeedMapping[] = [];
