// Facts read by the 就业创业与人才 (employment, entrepreneurship, talent) policies, beyond the core dictionary (facts.ts).
// Rows as in facts.ts: [name, zh, type, source, period, whenAbsent, description].
import type { Row } from './fact-kit.ts';

export const EMPLOYMENT_FACTS: { enterprise: Row[]; person: Row[] } = {
  enterprise: [],
  person: [],
};
