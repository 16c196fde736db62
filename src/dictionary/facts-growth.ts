// Facts read by the 企业成长 (高企, 专精特新, 上市, 研发, 规上) policies, beyond the core dictionary (facts.ts).
// Rows as in facts.ts: [name, zh, type, source, period, whenAbsent, description].
import type { Row } from './fact-kit.ts';

export const GROWTH_FACTS: { enterprise: Row[]; person: Row[] } = {
  enterprise: [],
  person: [],
};
