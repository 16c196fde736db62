export * from './policies.ts';
export * from './subjects.ts';
export * from './matching.ts';
export * from './payouts.ts';
export * from './audit.ts';
export * from './identity.ts';
export * from './portal.ts';
export * from './recovery.ts';
