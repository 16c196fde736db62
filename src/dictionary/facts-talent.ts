// Facts read by the 人才 (talent attraction and housing) policies, beyond the core dictionary (facts.ts).
// Rows as in facts.ts: [name, zh, type, source, period, whenAbsent, description].
import type { Row } from './fact-kit.ts';

export const TALENT_FACTS: { enterprise: Row[]; person: Row[] } = {
  enterprise: [],
  person: [],
};
