// Code lists the language checks literals against. Membership is hierarchical: industry "C" contains
// "C3911" (GB/T 4754-2017 section > division > group > class); region "440300" (深圳市) contains
// "440305" (南山区), and "440000" (广东省) contains both (GB/T 2260, trailing "00" pairs are levels).
import type { CodeList } from '../rules/lang/types.ts';

/** GB/T 4754-2017 门类 (sections). */
export const INDUSTRY_SECTIONS: Readonly<Record<string, string>> = {
  A: '农、林、牧、渔业',
  B: '采矿业',
  C: '制造业',
  D: '电力、热力、燃气及水生产和供应业',
  E: '建筑业',
  F: '批发和零售业',
  G: '交通运输、仓储和邮政业',
  H: '住宿和餐饮业',
  I: '信息传输、软件和信息技术服务业',
  J: '金融业',
  K: '房地产业',
  L: '租赁和商务服务业',
  M: '科学研究和技术服务业',
  N: '水利、环境和公共设施管理业',
  O: '居民服务、修理和其他服务业',
  P: '教育',
  Q: '卫生和社会工作',
  R: '文化、体育和娱乐业',
  S: '公共管理、社会保障和社会组织',
  T: '国际组织',
};

/** Divisions (大类) and classes named in the library; others are accepted by shape. */
const INDUSTRY_NAMED: Readonly<Record<string, string>> = {
  F51: '批发业',
  F52: '零售业',
  G59: '装卸搬运和仓储业',
  G60: '邮政业',
  H61: '住宿业',
  H62: '餐饮业',
  H6110: '旅游饭店',
  I63: '电信、广播电视和卫星传输服务',
  I64: '互联网和相关服务',
  I65: '软件和信息技术服务业',
};

/** GB/T 2260 codes the library uses: Guangdong, its 21 prefecture-level cities, Shenzhen's districts. */
export const REGIONS: Readonly<Record<string, string>> = {
  '440000': '广东省',
  '440100': '广州市',
  '440200': '韶关市',
  '440300': '深圳市',
  '440303': '罗湖区',
  '440304': '福田区',
  '440305': '南山区',
  '440306': '宝安区',
  '440307': '龙岗区',
  '440308': '盐田区',
  '440309': '龙华区',
  '440310': '坪山区',
  '440311': '光明区',
  '440400': '珠海市',
  '440500': '汕头市',
  '440600': '佛山市',
  '440700': '江门市',
  '440800': '湛江市',
  '440900': '茂名市',
  '441200': '肇庆市',
  '441300': '惠州市',
  '441400': '梅州市',
  '441500': '汕尾市',
  '441600': '河源市',
  '441700': '阳江市',
  '441800': '清远市',
  '441900': '东莞市',
  '442000': '中山市',
  '445100': '潮州市',
  '445200': '揭阳市',
  '445300': '云浮市',
  '420000': '湖北省',
  '421281': '赤壁市',
  '510000': '四川省',
  '511622': '武胜县',
};

const INDUSTRY_SHAPE = /^[A-T](\d{2}(\d{1,2})?)?$/;
const REGION_SHAPE = /^\d{6}$/;

/** Why a code is not acceptable as a literal of the list, or undefined when it is. */
export function codeProblem(list: CodeList, code: string): string | undefined {
  if (list === 'industry') {
    if (!INDUSTRY_SHAPE.test(code)) return `'${code}' is not a GB/T 4754-2017 code`;
    return undefined;
  }
  if (!REGION_SHAPE.test(code)) return `'${code}' is not a six-digit GB/T 2260 code`;
  if (!(code in REGIONS)) return `'${code}' is not in the region code list (src/dictionary/codes.ts)`;
  return undefined;
}

/** Shape check for data values: any well-formed code is acceptable as a fact (lists are for policy literals). */
export function codeShapeProblem(list: CodeList, code: string): string | undefined {
  if (list === 'industry') return INDUSTRY_SHAPE.test(code) ? undefined : `'${code}' is not a GB/T 4754-2017 code`;
  return REGION_SHAPE.test(code) ? undefined : `'${code}' is not a six-digit GB/T 2260 code`;
}

/** The hierarchical prefix a code stands for: industry codes as written, regions without trailing 00 pairs. */
export function codePrefix(list: CodeList, code: string): string {
  if (list === 'industry') return code;
  if (code.endsWith('0000')) return code.slice(0, 2);
  if (code.endsWith('00')) return code.slice(0, 4);
  return code;
}

export function codeName(list: CodeList, code: string): string {
  if (list === 'industry') return INDUSTRY_NAMED[code] ?? INDUSTRY_SECTIONS[code] ?? INDUSTRY_SECTIONS[code.slice(0, 1)] ?? code;
  return REGIONS[code] ?? (REGIONS[`${code.slice(0, 4)}00`] ? `${REGIONS[`${code.slice(0, 4)}00`]}辖区` : code);
}

/** Does `code` fall under any of the (already prefix-normalised) members? */
export function codeWithin(code: string, prefixes: readonly string[]): boolean {
  for (let i = 0; i < prefixes.length; i++) if (code.startsWith(prefixes[i] as string)) return true;
  return false;
}
