// Distributions for a Shenzhen-like population. Weights are rounded from public figures (深圳统计年鉴,
// 商事主体登记统计, 第七次人口普查) and are meant to look right in aggregate, not to be statistics.

export const SHENZHEN_DISTRICTS = [
  ['440303', '罗湖'],
  ['440304', '福田'],
  ['440305', '南山'],
  ['440306', '宝安'],
  ['440307', '龙岗'],
  ['440308', '盐田'],
  ['440309', '龙华'],
  ['440310', '坪山'],
  ['440311', '光明'],
] as const;

export const DISTRICT_NAMES: Readonly<Record<string, string>> = Object.fromEntries(SHENZHEN_DISTRICTS);

/** Registered market entities by district (万户, roughly): 宝安, 龙岗, 龙华, 福田, 南山 lead. */
export const ENTERPRISE_DISTRICT_WEIGHTS: readonly (readonly [string, number])[] = [
  ['440303', 8],
  ['440304', 14],
  ['440305', 14],
  ['440306', 24],
  ['440307', 18],
  ['440308', 1.5],
  ['440309', 13],
  ['440310', 3.5],
  ['440311', 4],
];

/** 户籍人口 by district (shares, %). */
export const HUKOU_DISTRICT_WEIGHTS: readonly (readonly [string, number])[] = [
  ['440303', 10],
  ['440304', 15],
  ['440305', 15],
  ['440306', 19],
  ['440307', 19],
  ['440308', 1.5],
  ['440309', 12],
  ['440310', 3.5],
  ['440311', 5],
];

/** Where a 户籍 moved to when it left Shenzhen (GB/T 2260). */
export const ELSEWHERE_REGIONS = ['440100', '440600', '441900', '441300', '430100', '420100', '360100', '450100'] as const;

export interface IndustryClass {
  code: string; // GB/T 4754-2017 section letter + 4-digit class
  label: string; // the short trade word used in names
  weight: number; // within its section
}

export interface IndustrySection {
  section: string;
  weight: number; // share of enterprises, %
  /** log-normal staff parameters: median e^mu */
  staffMu: number;
  staffSigma: number;
  /** revenue per head, 元 per year (median) */
  revenuePerHead: number;
  /** 高新技术企业 propensity, relative */
  highTech: number;
  classes: readonly IndustryClass[];
}

const c = (code: string, label: string, weight: number): IndustryClass => ({ code, label, weight });

/** GB/T 4754-2017 sections with representative classes; 批发零售 and 租赁商务 dominate Shenzhen's registry. */
export const INDUSTRY_SECTIONS: readonly IndustrySection[] = [
  { section: 'A', weight: 0.3, staffMu: 1.4, staffSigma: 1.0, revenuePerHead: 300_000, highTech: 0.2, classes: [c('A0190', '农业', 1), c('A0511', '农业技术', 1)] },
  { section: 'C', weight: 10, staffMu: 2.6, staffSigma: 1.5, revenuePerHead: 700_000, highTech: 4, classes: [
    c('C3911', '计算机', 10), c('C3922', '通信设备', 8), c('C3973', '集成电路', 3), c('C3974', '显示器件', 3), c('C3981', '电子元件', 10),
    c('C3982', '电路板', 8), c('C3990', '电子设备', 8), c('C3841', '锂电池', 3), c('C3670', '汽车配件', 3), c('C3581', '医疗器械', 3),
    c('C2929', '塑胶制品', 8), c('C3360', '表面处理', 4), c('C3489', '五金配件', 8), c('C2438', '珠宝首饰', 5), c('C1810', '服装', 5), c('C2231', '纸品包装', 4),
  ] },
  { section: 'D', weight: 0.3, staffMu: 2.2, staffSigma: 1.2, revenuePerHead: 1_500_000, highTech: 1, classes: [c('D4420', '供电', 1), c('D4416', '光伏发电', 2)] },
  { section: 'E', weight: 3, staffMu: 2.3, staffSigma: 1.3, revenuePerHead: 600_000, highTech: 0.3, classes: [c('E4701', '建筑工程', 3), c('E4910', '电气安装', 2), c('E5011', '装饰工程', 3), c('E5012', '家居装饰', 2)] },
  { section: 'F', weight: 34, staffMu: 1.1, staffSigma: 1.1, revenuePerHead: 1_500_000, highTech: 0.05, classes: [
    c('F5179', '电子产品贸易', 20), c('F5191', '贸易', 10), c('F5199', '商贸', 15), c('F5137', '服饰贸易', 6), c('F5211', '百货', 3), c('F5212', '超市', 4),
    c('F5221', '粮油', 4), c('F5292', '网店', 10), c('F5271', '手机零售', 5), c('F5261', '汽车销售', 3),
  ] },
  { section: 'G', weight: 3, staffMu: 1.9, staffSigma: 1.3, revenuePerHead: 500_000, highTech: 0.1, classes: [c('G5431', '货运', 3), c('G5437', '城市配送', 2), c('G5821', '货运代理', 4), c('G6020', '快递服务', 2), c('G5430', '物流', 2)] },
  { section: 'H', weight: 3.5, staffMu: 1.6, staffSigma: 1.0, revenuePerHead: 200_000, highTech: 0, classes: [c('H6110', '酒店', 3), c('H6121', '连锁酒店', 3), c('H6130', '民宿', 2), c('H6210', '餐饮', 40), c('H6220', '快餐', 25), c('H6232', '咖啡', 8), c('H6291', '小吃', 19)] },
  { section: 'I', weight: 10, staffMu: 1.9, staffSigma: 1.4, revenuePerHead: 450_000, highTech: 5, classes: [
    c('I6510', '软件', 30), c('I6520', '芯片设计', 4), c('I6531', '系统集成', 12), c('I6550', '信息技术', 15), c('I6421', '互联网', 5), c('I6429', '网络科技', 12), c('I6440', '网络安全', 3), c('I6450', '数据服务', 6),
  ] },
  { section: 'J', weight: 1.5, staffMu: 1.8, staffSigma: 1.4, revenuePerHead: 700_000, highTech: 0.3, classes: [c('J6930', '支付服务', 1), c('J6940', '金融信息', 2), c('J6720', '资产管理', 2)] },
  { section: 'K', weight: 2, staffMu: 1.8, staffSigma: 1.3, revenuePerHead: 700_000, highTech: 0, classes: [c('K7010', '房地产开发', 2), c('K7020', '物业管理', 4), c('K7030', '房产中介', 4)] },
  { section: 'L', weight: 15, staffMu: 1.2, staffSigma: 1.2, revenuePerHead: 900_000, highTech: 0.1, classes: [
    c('L7212', '投资', 20), c('L7211', '控股', 5), c('L7224', '供应链', 15), c('L7259', '广告', 12), c('L7281', '会展', 4), c('L7263', '人力资源', 3), c('L7269', '人才服务', 3), c('L7299', '商务服务', 38),
  ] },
  { section: 'M', weight: 10, staffMu: 1.6, staffSigma: 1.3, revenuePerHead: 500_000, highTech: 4, classes: [c('M7320', '科技', 35), c('M7519', '技术服务', 30), c('M7484', '工程设计', 15), c('M7491', '工业设计', 10), c('M7492', '设计', 10)] },
  { section: 'N', weight: 0.5, staffMu: 2.2, staffSigma: 1.2, revenuePerHead: 300_000, highTech: 0.3, classes: [c('N7820', '环卫', 1), c('N7721', '环保', 1)] },
  { section: 'O', weight: 2.5, staffMu: 1.2, staffSigma: 0.9, revenuePerHead: 200_000, highTech: 0, classes: [c('O8010', '家政', 1), c('O8111', '汽修', 1)] },
  { section: 'P', weight: 1.2, staffMu: 1.7, staffSigma: 1.0, revenuePerHead: 250_000, highTech: 0, classes: [c('P8391', '职业培训', 1), c('P8393', '艺术培训', 1), c('P8394', '教育咨询', 1)] },
  { section: 'Q', weight: 0.6, staffMu: 2.3, staffSigma: 1.3, revenuePerHead: 400_000, highTech: 0.2, classes: [c('Q8411', '医院', 1), c('Q8423', '诊所', 3)] },
  { section: 'R', weight: 2, staffMu: 1.3, staffSigma: 1.1, revenuePerHead: 400_000, highTech: 0.1, classes: [c('R8710', '影视', 2), c('R9011', '文化艺术', 2), c('R9041', '体育健身', 1)] },
];

export const SECTION_BY_LETTER: Readonly<Record<string, IndustrySection>> = Object.fromEntries(INDUSTRY_SECTIONS.map((s) => [s.section, s]));

/** 规模以上 thresholds on annual revenue, 元, by section (统计 规上/限上 standards, simplified). */
export function aboveScaleThresholdYuan(industryCode: string): number {
  const section = industryCode[0];
  if (section === 'B' || section === 'C' || section === 'D') return 20_000_000;
  if (industryCode.startsWith('F51')) return 20_000_000;
  if (industryCode.startsWith('F52')) return 5_000_000;
  if (section === 'H') return 2_000_000;
  if (section === 'E') return 20_000_000;
  return 10_000_000;
}

export const BRAND_CHARS = '华信达科创恒泰鹏海瑞丰联智通源新诚博盛安佳德宏远兴隆汇誉捷迅腾飞越鑫晟昊宇星辰光明富润福祥和嘉康力伟豪锐拓'.split('');
export const TOWN_NAMES = ['新安', '西乡', '福永', '沙井', '松岗', '石岩', '布吉', '坂田', '横岗', '龙城', '平湖', '民治', '观澜', '大浪', '粤海', '蛇口', '华强北', '梅林', '东门', '沙头角'];

/** Surnames with rough frequencies (Guangdong-leaning). */
export const SURNAMES: readonly (readonly [string, number])[] = [
  ['陈', 10], ['李', 8], ['黄', 7], ['张', 7], ['刘', 6], ['林', 5], ['王', 6], ['吴', 3], ['杨', 3], ['周', 2.5], ['郑', 2.5], ['梁', 2.5], ['谢', 2],
  ['何', 2], ['罗', 2], ['曾', 2], ['赖', 1], ['钟', 1.5], ['邓', 1.5], ['叶', 1.5], ['徐', 1.5], ['朱', 1.5], ['蔡', 1.5], ['许', 1.2], ['赵', 1.5],
  ['孙', 1], ['胡', 1.2], ['郭', 1], ['彭', 1], ['肖', 1], ['冯', 0.8], ['邱', 0.8], ['欧阳', 0.2], ['司马', 0.02],
];
export const GIVEN_CHARS = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力梅琳鹏飞志宇浩然子涵欣怡梓轩晨俊雨婷思远嘉宁锦诗睿泽佳颖'.split('');

/**
 * 户籍人口 age structure (share % by 5-year band, 0-4 ... 100-104), younger than the nation's, with a
 * thin but real 70+ tail (高龄津贴 starts at 70 in Shenzhen).
 */
export const AGE_BANDS: readonly number[] = [7, 7, 6, 4.5, 5, 8, 11, 12, 10, 7.5, 5.5, 4.5, 3.5, 3, 2, 1.5, 1, 0.6, 0.25, 0.07, 0.01];

/** Address codes (first 6 digits of 公民身份号码) for people born outside Shenzhen. */
export const BIRTHPLACE_ELSEWHERE: readonly (readonly [string, number])[] = [
  ['440104', 3], ['440106', 2], ['440604', 2], ['441302', 3], ['441402', 3], ['440513', 3], ['445202', 3], ['441502', 2], ['440882', 2], ['440902', 2],
  ['430102', 2], ['430602', 2], ['431002', 3], ['430524', 2], ['420102', 2], ['421281', 1], ['360102', 2], ['360702', 2], ['450102', 2], ['450881', 2],
  ['510104', 1.5], ['511622', 1], ['410102', 1.5], ['411502', 1], ['350102', 1], ['370102', 0.5], ['110105', 0.5], ['610102', 0.5], ['500103', 1], ['340102', 0.5],
];

/** An address code used by nobody in the population: the generator's unregistered persons. */
export const UNREGISTERED_ID_ADDRESS = '650102';

/** National 小巨人 batches and provincial 专精特新 announcement dates (as published, roughly). */
export const LITTLE_GIANT_DATES = ['2019-06-13', '2020-11-13', '2021-07-19', '2022-08-10', '2023-07-14', '2024-07-25'];
