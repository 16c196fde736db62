// Facts read by the 文旅与消费 (tourism, culture and consumption) policies, beyond the core dictionary (facts.ts).
// Rows as in facts.ts: [name, zh, type, source, period, whenAbsent, description].
import type { Row } from './fact-kit.ts';

export const CULTURE_FACTS: { enterprise: Row[]; person: Row[] } = {
  enterprise: [],
  person: [],
};
