// The population generator: a Shenzhen-like set of enterprises and persons, deterministic by seed,
// generated subject by subject (subject i is a pure function of the seed and i), written as the feed
// files departments send. See docs/feeds.md for the formats.
export { ANCHORS } from './anchors.ts';
export { contextOf, DIRTY_KINDS, type DirtyKind, type PopulationOptions } from './context.ts';
export { enterpriseAt } from './enterprises.ts';
export { dirtyKindsFor, feedHeader, feedRecords, feedRows, GENERATED_FEEDS, isDerivedFeed } from './feeds.ts';
export { PersonSpace, personAt } from './persons.ts';
export { writeFeedFile, writeFeedFiles } from './write.ts';
