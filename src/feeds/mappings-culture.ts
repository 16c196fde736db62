// Feeds carrying the facts of the 文旅与消费 policies (src/dictionary/facts-culture.ts). A feed here
// needs no generator: the demo fills it with the subjects planted from the policies' test cases.
import type { FeedMapping } from './mapping-kit.ts';

export const CULTURE_FEEDS: readonly FeedMapping[] = [];
