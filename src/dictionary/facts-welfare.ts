// Facts read by the 养老、残疾人、社会救助 (elderly, disability and social assistance benefits) policies, beyond the core dictionary (facts.ts).
// Rows as in facts.ts: [name, zh, type, source, period, whenAbsent, description].
import type { Row } from './fact-kit.ts';

export const WELFARE_FACTS: { enterprise: Row[]; person: Row[] } = {
  enterprise: [],
  person: [],
};
