// The data dictionary: every fact a policy may read, with its type, unit, period semantics, source
// department and a Chinese description. Names match what the fact feeds store, so wiring is a copy.
// Money facts are integer fen (bigint or safe-integer number); dates are 'YYYY-MM-DD' strings.
import { bool, date, money, months, oneOf, persons, rangeFor, type FactDef, type Row, type SubjectType } from './fact-kit.ts';
import { CULTURE_FACTS } from './facts-culture.ts';
import { EMPLOYMENT_FACTS } from './facts-employment.ts';
import { GROWTH_FACTS } from './facts-growth.ts';
import { TALENT_FACTS } from './facts-talent.ts';
import { WELFARE_FACTS } from './facts-welfare.ts';

export { SOURCE_LABELS, type FactDef, type FactRange, type PeriodSemantics, type Source, type SubjectType } from './fact-kit.ts';

const enterprise: Row[] = [
  ['status', '登记状态', oneOf('登记状态', ['存续', '注销', '吊销']), 'samr', 'as-of', 'missing', '市场主体登记状态'],
  ['industryCode', '国民经济行业代码', { k: 'code', list: 'industry' }, 'samr', 'as-of', 'missing', '登记的行业代码，GB/T 4754-2017，如 C3911'],
  ['regionCode', '注册地区划代码', { k: 'code', list: 'region' }, 'samr', 'as-of', 'missing', '注册地行政区划代码，GB/T 2260，如 440305'],
  ['abnormalOperation', '列入经营异常名录', bool(), 'samr', 'as-of', 'false', '在经营异常名录中；不在名录即为否'],
  ['revenueFen', '营业收入', money(), 'tax', 'data-year', 'missing', '数据年度营业收入（分）'],
  ['totalAssetsFen', '资产总额', money(), 'tax', 'data-year', 'missing', '数据年度资产总额（分）；本系统尚未采集，划型需要时为缺失'],
  ['rdExpenseFen', '研发费用', money(), 'tax', 'data-year', 'missing', '数据年度研发费用（研发费用加计扣除口径，分）'],
  ['siAccount', '社保缴费账户', { k: 'text', nullable: true }, 'tax', 'as-of', 'none', '税务提供的社会保险费缴费账户；无账户为空'],
  ['basicAccount', '基本存款账户', { k: 'text', nullable: true }, 'bank', 'as-of', 'none', '单位基本存款账户；无账户为空'],
  ['staff', '从业人员', persons(), 'hrss', 'data-year', 'missing', '数据年度从业人员数'],
  ['uiContributionsPaidFen', '上年度失业保险实缴', money(), 'hrss', 'data-year', 'missing', '数据年度企业及职工实际缴纳的失业保险费（分）'],
  ['uiMonthsPaidInFull', '足额缴纳失业保险费月数', months(), 'hrss', 'data-year', 'missing', '截至数据年度末连续足额缴纳失业保险费的月数'],
  ['avgInsured', '月平均参保人数', persons(), 'hrss', 'data-year', 'missing', '数据年度失业保险参保缴费月平均人数'],
  ['newClaimants', '新增领取失业保险金人数', persons(), 'hrss', 'data-year', 'missing', '数据年度新增领取失业保险金人数（用于计算裁员率）'],
  ['insuredAtStartOfDataYear', '上年初参保人数', persons(), 'hrss', 'data-year', 'missing', '数据年度初（上上年末）参保人数'],
  ['insuredAtEndOfDataYear', '上年末参保人数', persons(), 'hrss', 'data-year', 'missing', '数据年度末参保人数'],
  ['laborDispatch', '劳务派遣单位', bool(), 'hrss', 'as-of', 'missing', '取得劳务派遣经营许可的单位'],
  ['orgKind', '单位类型', oneOf('单位类型', ['企业', '社会组织', '机关事业单位', '个体工商户']), 'samr', 'as-of', 'missing', '用人单位类型'],
  ['expansionHires1m', '新招用扩岗对象人数（缴费满1个月）', persons(), 'hrss', 'in-period', 'missing', '本期新招用、签订劳动合同并为其缴纳失业、工伤、职工养老保险费满1个月的扩岗对象人数（已按身份台账去重：一人只计一家、未用于吸纳就业补贴）'],
  ['expansionHires3m', '新招用扩岗对象人数（足额缴费满3个月）', persons(), 'hrss', 'in-period', 'missing', '本期新招用、签订劳动合同并足额缴纳社会保险费满3个月的扩岗对象人数（已按身份台账去重）'],
  ['absorbedHires', '吸纳就业补贴对象人数', persons(), 'hrss', 'in-period', 'missing', '本期吸纳并缴纳社会保险费的吸纳就业补贴对象人数（已按身份台账去重，未用于扩岗补助）'],
  ['difficultHires', '在补贴期内的就业困难人员人数', persons(), 'hrss', 'in-period', 'missing', '本期招用、签订一年以上劳动合同（距退休不足一年的除外）且仍在36个月补贴期内的就业困难人员人数'],
  ['difficultHiresEmployerContribFen', '就业困难人员单位缴费', money(), 'hrss', 'in-period', 'missing', '本期为上述人员实际缴纳的基本养老、基本医疗、失业保险单位缴费部分（不含个人缴费和工伤保险，分）'],
  ['seriousDishonest', '严重违法失信主体', bool(), 'credit', 'as-of', 'missing', '列入严重违法失信主体名单并受联合惩戒'],
  ['majorPenalty', '重大行政处罚', bool(), 'credit', 'as-of', 'false', '近三年受到重大行政处罚或发生重大安全、质量、环境事故'],
  ['aboveScale', '规模以上企业', bool(), 'stats', 'data-year', 'false', '统计部门认定的规模以上（规上）企业'],
  ['energyNonCompliant', '能耗不达标', bool(), 'miit', 'as-of', 'false', '未达到能耗标准'],
  ['highTechAcceptedDate', '高企认定申请受理日期', date(true), 'most', 'event', 'none', '高新技术企业认定申请获受理的日期'],
  ['highTechCertDate', '高企证书日期', date(true), 'most', 'event', 'none', '取得高新技术企业证书的日期'],
  ['highTechCertKind', '高企认定类别', oneOf('高企认定类别', ['首次认定', '重新认定'], true), 'most', 'event', 'none', '高企证书为首次认定或重新认定'],
  ['zjtxProvincialDate', '省级专精特新认定日期', date(true), 'miit', 'event', 'none', '认定为省级专精特新中小企业的日期'],
  ['littleGiantDate', '专精特新“小巨人”认定日期', date(true), 'miit', 'event', 'none', '认定为国家级专精特新“小巨人”企业的日期'],
  ['singleChampionDate', '制造业单项冠军认定日期', date(true), 'miit', 'event', 'none', '认定为制造业单项冠军企业（产品）的日期'],
  ['ipoListingDate', '境内外首发上市日期', date(true), 'csrc', 'event', 'none', '首次公开发行股票并上市的日期'],
  ['ipoRaisedFen', '首发募集资金', money(), 'csrc', 'event', 'missing', '首次公开发行募集资金总额（分）'],
  ['relocatedListedDate', '上市公司迁入日期', date(true), 'csrc', 'event', 'none', '境内外上市公司注册地迁入本地的日期'],
  ['neeqListedDate', '新三板挂牌日期', date(true), 'csrc', 'event', 'none', '在全国中小企业股份转让系统挂牌的日期'],
  ['neeqInnovationRelocatedDate', '新三板创新层企业迁入日期', date(true), 'csrc', 'event', 'none', '新三板创新层企业注册地迁入本地的日期'],
  ['counselingFiledDate', '上市辅导备案日期', date(true), 'csrc', 'event', 'none', '在证监局完成上市辅导备案的日期'],
  ['counselingAcceptedDate', '上市辅导验收日期', date(true), 'csrc', 'event', 'none', '上市辅导通过验收的日期'],
  ['exchangeAcceptedDate', '交易所受理审核日期', date(true), 'csrc', 'event', 'none', '首发申请获证券交易所受理审核的日期'],
  ['ipoRegisteredDate', '首发注册生效日期', date(true), 'csrc', 'event', 'none', '首发注册生效（或核准）的日期'],
  ['falsifiedDocuments', '提供虚假材料', bool(), 'credit', 'as-of', 'false', '申报奖励过程中提供虚假材料'],
  ['localOperationCommitted', '承诺本地经营十年', bool(), 'csrc', 'as-of', 'missing', '企业已承诺上市后在本地持续经营10年（武胜县）'],
  ['starRating', '星级', oneOf('星级', ['一星', '二星', '三星', '四星', '五星'], true), 'culture', 'event', 'none', '旅游饭店星级'],
  ['starRatedDate', '星级评定日期', date(true), 'culture', 'event', 'none', '新评定星级的日期（文旅部门评定公告）'],
  ['starStandardMet', '达到星级标准（未评定）', oneOf('星级', ['一星', '二星', '三星', '四星', '五星'], true), 'culture', 'event', 'none', '未参评但经核定达到的星级标准'],
  ['starStandardMetDate', '达到星级标准核定日期', date(true), 'culture', 'event', 'none', '核定达到星级标准的日期'],
  ['exchangeApprovedDate', '交易所审核通过日期', date(true), 'csrc', 'event', 'missing', '首发申请通过证券交易所上市委员会审核的日期（csrc-listing 数据源的 exchange_approved_date 列；缺失即无法判定）'],
  ['localSubstantiveOpsDate', '首次在本地实质开展业务运营日期', date(true), 'csrc', 'event', 'missing', '已上市公司或新三板创新层企业首次在本地实质开展业务运营并作出实质贡献的认定日期（地方金融管理部门认定，经 csrc-listing 数据源的 local_substantive_ops_date 列报送；缺失即无法判定）'],
];

const person: Row[] = [
  ['hiredBy', '招用单位', { k: 'text', nullable: true }, 'hrss', 'in-period', 'none', '本期招用该人员的单位统一社会信用代码（人社就业登记）'],
  ['hireContractSigned', '已签订劳动合同', bool(), 'hrss', 'in-period', 'missing', '本期招用时已签订劳动合同'],
  ['hireInsuredMonths', '招用后缴费月数', months(), 'hrss', 'in-period', 'missing', '招用后单位为其缴纳失业、工伤、职工养老保险费的月数'],
  ['expansionTarget', '扩岗补助对象', bool(), 'hrss', 'in-period', 'false', '属于一次性扩岗补助对象（当年高校毕业生、离校两年内未就业毕业生、16-24岁登记失业青年）'],
  ['absorptionTarget', '吸纳就业补贴对象', bool(), 'hrss', 'in-period', 'false', '属于一次性吸纳就业补贴对象'],
  ['birthDate', '出生日期', date(), 'police', 'event', 'missing', '公民身份号码中的出生日期'],
  ['deathDate', '死亡日期', date(true), 'police', 'event', 'none', '公安死亡登记日期；无登记即为空'],
  ['hukouRegion', '户籍所在地', { k: 'code', list: 'region' }, 'police', 'as-of', 'missing', '户籍所在地区划代码（GB/T 2260）'],
  ['dibaoHousehold', '低保家庭成员', bool(), 'civil', 'as-of', 'false', '民政最低生活保障家庭成员'],
  ['lowIncomeHousehold', '低保边缘/低收入家庭成员', bool(), 'civil', 'as-of', 'false', '民政认定的低保边缘家庭或低收入家庭成员'],
  ['disabilityGrade', '残疾等级', oneOf('残疾等级', ['一级', '二级', '三级', '四级'], true), 'disabled', 'as-of', 'none', '第二代残疾人证等级；无证为空'],
  ['disabilityCategory', '残疾类别', oneOf('残疾类别', ['视力', '听力', '言语', '肢体', '智力', '精神', '多重'], true), 'disabled', 'as-of', 'none', '残疾人证类别'],
  ['needsLongTermCare', '需要长期照护', bool(), 'disabled', 'as-of', 'missing', '经评估需要长期照护'],
  ['ssCardAccount', '社保卡金融账户', { k: 'text', nullable: true }, 'hrss', 'as-of', 'none', '人社提供的社会保障卡金融账户，个人补贴发放到此账户；无账户为空'],
  ['uiInsuredMonths', '失业保险累计参保月数', months(), 'hrss', 'as-of', 'missing', '截至取证之日累计参加失业保险的月数'],
  ['certificateLevel', '职业资格/技能等级', oneOf('技能等级', ['初级', '中级', '高级'], true), 'hrss', 'event', 'none', '本期新取得的职业资格证书或职业技能等级证书等级（初级工/中级工/高级工）'],
  ['certificateDate', '取证日期', date(true), 'hrss', 'event', 'none', '本期新取得证书的发证日期'],
  ['skillSubsidiesThisYear', '本年度已享技能提升补贴次数', { k: 'num', unit: { times: 1 } }, 'hrss', 'in-period', 'missing', '本年度已享受技能提升补贴的次数（不含本次）'],
  ['sameCertificateClaimed', '同职业同等级已享受过', bool(), 'hrss', 'as-of', 'false', '同一职业（工种）同一等级此前已享受过技能提升补贴'],
  ['trainingSubsidyClaimed', '已享职业培训补贴', bool(), 'hrss', 'as-of', 'false', '同一证书已享受职业培训补贴'],
  ['education', '学历', oneOf('学历', ['本科', '非全日制本科', '硕士', '博士'], true), 'edu', 'as-of', 'none', '最高学历（学信网/留学服务中心认证）'],
  ['freshGraduate', '应届毕业生', bool(), 'edu', 'as-of', 'false', '引进时为应届毕业生'],
  ['returnee', '归国留学人员', bool(), 'edu', 'as-of', 'false', '引进时为归国留学人员'],
  ['introducedDate', '引进（落户）日期', date(true), 'police', 'event', 'none', '新引进人才迁入深圳户籍的日期'],
  ['usedHousingSecurity', '已享受住房保障', bool(), 'housing', 'as-of', 'false', '已享受本市住房保障优惠（购房、租房、补贴）'],
  ['socialInsuranceInShenzhen', '在深缴纳社会保险', bool(), 'hrss', 'as-of', 'missing', '引进后在深圳缴纳社会保险'],
];

function build(subject: SubjectType, rows: Row[]): FactDef[] {
  return rows.map(([name, zh, type, source, period, whenAbsent, description]) => {
    const range = rangeFor(name, type);
    return { name, subject, zh, type, source, period, whenAbsent, description, ...(range ? { range } : {}) };
  });
}

// Facts added with the policies of one topic live in that topic's file, so libraries grow without
// everyone editing one list; names stay unique across all of them (checked by createDictionary).
const TOPICS = [EMPLOYMENT_FACTS, TALENT_FACTS, WELFARE_FACTS, GROWTH_FACTS, CULTURE_FACTS];

export const FACTS: readonly FactDef[] = [
  ...build('enterprise', enterprise),
  ...build('person', person),
  ...TOPICS.flatMap((t) => [...build('enterprise', t.enterprise), ...build('person', t.person)]),
];
