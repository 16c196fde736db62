// Feeds carrying the facts of the 就业创业与人才 policies (src/dictionary/facts-employment.ts). A feed here
// needs no generator: the demo fills it with the subjects planted from the policies' test cases.
import type { FeedMapping } from './mapping-kit.ts';

export const EMPLOYMENT_FEEDS: readonly FeedMapping[] = [];
