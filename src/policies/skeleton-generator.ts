// 骨架生成: a paragraph of a policy document, marked up by the author, becomes the skeleton of a policy/2
// point to edit: each marked span is a condition, exception or the amount with its words as the quote,
// and the paragraph without marks is the text the quotes are checked against. The rules themselves
// (`when`, `expr`) are left for the author: the skeleton does not load until they are written, so an
// unfinished point cannot be published by mistake.
//
// Marks: 【条件:CODE】words【/】, 【除外:CODE】words【/】, 【金额】words【/】. CODE is the reason code
// (upper-case letters, digits, _).
import { stringify } from 'yaml';
import { AppError } from '../errors.ts';

export interface SkeletonInput {
  paragraph: string;
  pointId: string;
  name: string;
  subject: 'enterprise' | 'person';
  article: string;
}

interface Span {
  kind: 'condition' | 'exception' | 'amount';
  code: string | null;
  words: string;
}

const MARK = /【(条件|除外|金额)(?:[:：]([A-Z][A-Z0-9_]*))?】([\s\S]*?)【\/】/gu;

/** The marked spans, in order, and the paragraph with the marks taken out (what the quotes must match). */
function parseMarkedParagraph(paragraph: string): { spans: Span[]; plain: string } {
  const spans: Span[] = [];
  for (const m of paragraph.matchAll(MARK)) {
    const kind = m[1] === '条件' ? 'condition' : m[1] === '除外' ? 'exception' : 'amount';
    const code = m[2] ?? null;
    const words = (m[3] ?? '').trim();
    if (kind !== 'amount' && !code) throw new AppError('ARGUMENT_INVALID', `标记「${m[0].slice(0, 30)}」缺少理由代码；请写成【${m[1]}:CODE】…【/】，CODE 为大写字母、数字和下划线。`);
    if (!words) throw new AppError('ARGUMENT_INVALID', `标记「${m[0]}」中没有原文；请把原文句子放在标记之间。`);
    spans.push({ kind, code, words });
  }
  const plain = paragraph.replace(MARK, (_all, _k, _c, words: string) => words);
  if (/【(条件|除外|金额)|【\/】/u.test(plain)) throw new AppError('ARGUMENT_INVALID', '段落中有未闭合或写法不对的标记；请使用【条件:CODE】原文【/】、【除外:CODE】原文【/】、【金额】原文【/】。');
  if (spans.length === 0) throw new AppError('ARGUMENT_INVALID', '段落中没有标记；请至少用【条件:CODE】原文【/】标出一个条件，并用【金额】原文【/】标出金额。');
  const codes = spans.flatMap((s) => (s.code ? [s.code] : []));
  const dup = codes.find((c, i) => codes.indexOf(c) !== i);
  if (dup) throw new AppError('ARGUMENT_INVALID', `理由代码 ${dup} 用了两次；请为每个条件和除外情形使用不同的代码。`);
  if (spans.filter((s) => s.kind === 'amount').length > 1) throw new AppError('ARGUMENT_INVALID', '金额只能标一处；请把其余金额句子放进条件或备注。');
  return { spans, plain };
}

const TODO = '待填写';

/** The point skeleton (YAML, one item of `points:`) and the text section its quotes come from. */
export function generateSkeleton(input: SkeletonInput): { pointYaml: string; textSection: string } {
  const { spans, plain } = parseMarkedParagraph(input.paragraph);
  const amount = spans.find((s) => s.kind === 'amount');
  const item = (s: Span) => ({ id: s.code, label: s.words.slice(0, 40), when: TODO, cite: input.article, quote: s.words });
  const point = {
    id: input.pointId,
    name: input.name,
    subject: input.subject,
    citation: { article: input.article, quote: (spans[0] as Span).words },
    tags: { 行业: [TODO], 规模: [TODO], 区域: [TODO], 主题: [TODO], 兑现方式: '免申即享', 对象: [input.subject === 'enterprise' ? '企业' : '个人'] },
    effective: { from: TODO },
    payment: { frequency: TODO, paysFor: 'policy-year' },
    conditions: spans.filter((s) => s.kind === 'condition').map(item),
    ...(spans.some((s) => s.kind === 'exception') ? { exceptions: spans.filter((s) => s.kind === 'exception').map(item) } : {}),
    amount: { expr: TODO, rounding: 'half-up-fen', cite: input.article, quote: amount ? amount.words : TODO },
    budget: { total: null, oversubscription: 'pro-rata-largest-remainder' },
    tests: [
      { name: '典型情形', kind: ['typical'], period: TODO, expect: { outcome: 'eligible', amount: TODO } },
      { name: '边界情形', kind: ['boundary'], period: TODO, expect: { outcome: 'ineligible' } },
      { name: '除外情形', kind: ['exclusion'], period: TODO, expect: { outcome: 'ineligible' } },
    ],
  };
  const header = `# 由骨架生成器生成：请把每个"${TODO}"改成规则、日期和期望值；未改完的文件不能加载，也不能发布。\n`;
  return { pointYaml: header + stringify([point], { lineWidth: 0 }), textSection: `## 来源: main\n\n${plain.trim()}\n` };
}
