// Feeds carrying the facts of the 养老、残疾人、社会救助 policies (src/dictionary/facts-welfare.ts). A feed here
// needs no generator: the demo fills it with the subjects planted from the policies' test cases.
import type { FeedMapping } from './mapping-kit.ts';

export const WELFARE_FEEDS: readonly FeedMapping[] = [];
