// Feeds carrying the facts of the 人才 policies (src/dictionary/facts-talent.ts). A feed here needs no
// generator: the demo fills it with the subjects planted from the policies' test cases.
import type { FeedMapping } from './mapping-kit.ts';

export const TALENT_FEEDS: readonly FeedMapping[] = [];
