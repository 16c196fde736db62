// The population generator: a Shenzhen-like set of enterprises and persons, deterministic by seed,
// generated subject by subject (subject i is a pure function of the seed and i), written as the feed
// files departments send. See docs/feeds.md for the formats.
export { ANCHORS, type Anchor } from './anchors.ts';
export { contextOf, DIRTY_KINDS, type Context, type DirtyKind, type PopulationOptions } from './context.ts';
export { enterpriseAt, listingOf, monthlyHires, unregisteredUscc, type Enterprise, type Listing } from './enterprises.ts';
export { dirtyKindsFor, feedHeader, feedRecords, feedRows, GENERATED_FEEDS, isDerivedFeed, rowRecord, type FeedProgress, type GeneratedRow, type Row } from './feeds.ts';
export { hiresOf, PersonSpace, personAt, unregisteredIdNumber, type HireRecord, type Person } from './persons.ts';
export { csvLine, DEFAULT_FORMATS, feedFileName, jsonlEncoder, writeFeedFile, writeFeedFiles, type FileFormat, type WriteOptions, type WrittenFeed } from './write.ts';
