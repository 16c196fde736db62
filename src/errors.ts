// One catalogue of typed errors. Codes are stable (clients and tests match on them); messages say
// what went wrong and what to do next. `zh` is what a user of the portal or the staff console reads
// (the HTTP layer sends it as messageZh): per code, so it never carries an identifier or an internal
// detail; the specific `message` of the error goes beside it.

export const ErrorCodes = {
  CONFIG_INVALID: { status: 500, zh: '服务配置有误，服务未能启动。请管理员按日志中列出的配置项（如 DATABASE_URL、DATA_DIR、PORTAL_TOKEN_SECRET、DATA_KEYS）更正后重启。' },
  TEST_DATABASE_MISSING: { status: 500, zh: '未配置测试数据库。请设置 TEST_DATABASE_URL 指向一个 PostgreSQL 服务后再运行测试。' },
  DATA_KEY_UNKNOWN: { status: 500, zh: '个人数据所用的加密密钥未配置，无法读取。请管理员在 DATA_KEYS 中补回该密钥编号对应的密钥后重试。' },
  DATA_VALUE_INVALID: { status: 500, zh: '加密保存的个人数据无法解密，可能密钥配置有误或数据被改动。请管理员核对 DATA_KEYS 配置并核查数据。' },
  DATA_DIR_LOCKED: { status: 500, zh: '内置数据库的数据目录正被另一个进程使用。请先停止该进程，或将 DATA_DIR 改为其他目录（或设置 DATABASE_URL 使用 PostgreSQL 服务）。' },
  EMBEDDED_DB_UNSUPPORTED: { status: 500, zh: '内置数据库组件（@electric-sql/pglite-socket）的版本与本系统不兼容，服务未能启动。请安装 package-lock.json 中锁定的版本，或设置 DATABASE_URL 使用 PostgreSQL 服务。' },
  DB_CLIENT_DISCONNECTED: { status: 503, zh: '数据库连接已断开，本次操作未完成。请稍后重试。' },
  POLICY_FILE_INVALID: { status: 422, zh: '政策文件格式有误。请按提示中给出的文件名和行号更正后重新提交。' },
  POLICY_LINT_FAILED: { status: 422, zh: '政策库未通过校验，未作任何更改。请按提示逐条更正所列文件中的错误后重新提交。' },
  FACT_INVALID: { status: 422, zh: '数据项取值不符合数据字典的要求。请按提示核对所列字段的取值后重新提交。' },
  FEED_UNKNOWN: { status: 404, zh: '没有这个数据源。请核对数据源名称，可用的数据源见系统文档。' },
  FEED_HEADER_INVALID: { status: 422, zh: '数据文件的表头与该数据源的约定不符（缺少、改名或重复的列），整个文件未导入。请按提示中列出的应有列名更正表头后重新导入。' },
  FEED_UNKNOWN_COLUMN: { status: 422, zh: '数据文件含有该数据源未约定的列，严格模式下整个文件未导入。请删去所列的多余列，或不使用严格模式导入。' },
  FEED_UNREADABLE: { status: 422, zh: '数据文件无法读取（编码或格式损坏），未导入任何数据。请按提示中的行号检查文件后重新导出并导入。' },
  POLICY_DRAFT_NOT_FOUND: { status: 404, zh: '找不到所指的政策版本草稿。请核对版本编号（可用 policy versions <政策事项> 查看）。' },
  POLICY_STATE_INVALID: { status: 409, zh: '该政策版本当前的状态不允许这项操作（草稿→提交→审核通过→发布）。请刷新查看版本的最新状态后再操作。' },
  POLICY_SELF_APPROVAL_FORBIDDEN: { status: 403, zh: '政策版本的起草人不能审核自己起草的版本（四眼原则）。请由另一位政策审核人员审核。' },
  POLICY_CORRECTION_REQUIRED: { status: 422, zh: '该版本的生效日期早于发布日期，会改变已过去期间的结果。请确认确属更正后，填写更正理由（--correction 理由）再发布，或改用不早于今天的生效日期。' },
  POLICY_NOT_FOUND: { status: 404, zh: '找不到所指的政策事项或政策库版本。请核对政策事项编号；如政策库尚未发布，请先发布。' },
  SNAPSHOT_NOT_FOUND: { status: 404, zh: '找不到所指的数据快照。请核对快照编号，或不指定快照以使用最新数据。' },
  RUN_NOT_FOUND: { status: 404, zh: '找不到所指的匹配批次。请核对批次编号。' },
  RUN_NOTHING_TO_MATCH: { status: 422, zh: '所选范围和期间内没有生效的政策事项，未启动匹配。请核对匹配范围和期间。' },
  RUN_FAILED: { status: 500, zh: '匹配批次未能完成，已标记为失败并记录原因。请按批次详情中的原因处理后重新发起匹配。' },
  RUN_TIMEOUT: { status: 504, zh: '匹配批次在等待时间内未完成，仍在后台继续。请稍后查看批次进度。' },
  RUN_NOT_READY: { status: 409, zh: '匹配尚未全部完成，暂不能汇总。请等待全部分片完成后再试。' },
  BATCH_NOT_FOUND: { status: 404, zh: '找不到所指的拨付批次。请核对批次编号。' },
  BATCH_EMPTY: { status: 409, zh: '没有可以拨付的名单记录，未生成批次。请先完成匹配，并补齐享受对象的收款账户。' },
  BATCH_STATE_INVALID: { status: 409, zh: '拨付批次当前的状态不允许这项操作。请刷新查看批次的最新状态后再操作。' },
  BUDGET_EXCEEDED: { status: 409, zh: '该批次超出政策事项的预算额度（已预留、已审批和已拨付的资金合计），未生成批次，也未预留任何资金。请重新匹配使名单按剩余预算调整，或申请追加预算。' },
  REASON_REQUIRED: { status: 422, zh: '此项操作必须填写理由。请写明理由后重新提交。' },
  NOTICE_EMPTY: { status: 409, zh: '该政策事项本期没有需要公示的名单记录（已公示且金额未变，或因异议成立待更正），未发布公示。请先完成匹配，或待更正后的重新匹配完成后再发布。' },
  NOTICE_NOT_FOUND: { status: 404, zh: '找不到所指的公示。请核对公示编号。' },
  NOTICE_ENDED: { status: 409, zh: '公示期已满，不再受理异议。如对结果有疑问，请联系公示所列部门申请复核。' },
  OBJECTION_DECIDED: { status: 409, zh: '该异议已处理，不能重复处理。请刷新查看处理结果。' },
  SELF_REVIEW_FORBIDDEN: { status: 403, zh: '登记异议的人员不能处理自己登记的异议。请由另一位审核人员处理。' },
  CONFIRMATION_CLOSED: { status: 409, zh: '确认已结束（已确认，或已超过确认期限视为自愿放弃），不能再确认。如有疑问，请联系政策主管部门。' },
  SELF_APPROVAL_FORBIDDEN: { status: 403, zh: '制单人不能审批自己制作的批次（四眼原则）。请由另一位财务人员审批。' },
  SECOND_APPROVER_NOT_DISTINCT: { status: 403, zh: '该批次金额超过双人审批限额，第二位审批人必须是制单人和第一位审批人以外的另一位财务审批人员。请由另一位财务审批人员完成第二次审批。' },
  SIGN_IN_FAILED: { status: 401, zh: '登录失败：账号或密码有误，或账号已被锁定（连续输错5次锁定15分钟）或已停用。请核对后重试，或联系系统管理员。' },
  CSRF_MISSING: { status: 403, zh: '请求缺少有效的防跨站请求伪造令牌（x-csrf-token），未作处理。请刷新页面或重新登录后再试。' },
  ACCOUNT_NOT_FOUND: { status: 404, zh: '没有这个工作人员账号。请核对登录名（可用 user list 查看全部账号）。' },
  ACCOUNT_LOGIN_TAKEN: { status: 409, zh: '该登录名已被使用（登录名不区分大小写、全角半角和首尾空格）。请换一个登录名。' },
  PASSWORD_TOO_WEAK: { status: 422, zh: '密码不符合要求：至少12个字符。请换一个更长的密码（可用几个词组成的短语）。' },
  SELF_CHECK_ANSWER_INVALID: { status: 400, zh: '政策计算器所填的数据项有误（没有这个数据项，或取值的类型、范围不符合数据字典），未作测算。请按提示更正所列字段后重新提交（可填的数据项见 /api/public/self-check/questions）。' },
  NOT_FOUND: { status: 404, zh: '找不到所请求的内容。请核对地址或编号。' },
  BAD_REQUEST: { status: 400, zh: '请求内容有误，未作任何处理。请按提示更正所列字段后重新提交。' },
  PAYLOAD_TOO_LARGE: { status: 413, zh: '提交的内容过大，未作处理。请拆分后分批提交。' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: '不支持所提交内容的格式。请以 JSON（Content-Type: application/json）提交。' },
  REQUEST_TIMEOUT: { status: 408, zh: '请求未能在规定时间内传送完毕，未作处理。请检查网络后重新提交。' },
  HEADERS_TOO_LARGE: { status: 431, zh: '请求头过大，未作处理。请清除浏览器中本站的 Cookie 后重试。' },
  RATE_LIMITED: { status: 429, zh: '请求过于频繁，本次请求未处理。请稍候片刻（见响应头 Retry-After 的秒数）再试。' },
  UNAUTHENTICATED: { status: 401, zh: '尚未登录或登录已失效。请重新登录后再试。' },
  FORBIDDEN: { status: 403, zh: '当前身份无权进行这项操作。请使用有相应权限的账号登录。' },
  PORTAL_SIGN_IN_DISABLED: { status: 503, zh: '统一身份认证登录尚未开通，暂不能登录。请联系系统管理员配置统一身份认证（OIDC_ISSUER 等）后再试。' },
  OIDC_PROVIDER_UNAVAILABLE: { status: 502, zh: '统一身份认证服务暂时无法访问，未能登录。请稍后重试；如持续失败，请联系系统管理员。' },
  OIDC_LOGIN_INVALID: { status: 400, zh: '登录请求已失效、已使用或与本浏览器发起的登录不符，未能登录。请回到首页重新点击登录，不要重复提交或使用他人发来的登录链接。' },
  OIDC_SIGN_IN_REFUSED: { status: 401, zh: '统一身份认证未能确认您的身份（登录被取消、授权码无效或身份令牌未通过校验），未能登录。请重新登录。' },
  OIDC_CLAIM_INVALID: { status: 403, zh: '统一身份认证返回的统一社会信用代码或公民身份号码缺失或有误，未能登录。请确认以法人或个人身份登录；如信息有误，请联系统一身份认证平台更正。' },
  OIDC_SUBJECT_UNKNOWN: { status: 403, zh: '本系统尚无该统一社会信用代码对应的企业登记信息，未能登录。请核对登录的企业；新登记的企业待登记数据导入后即可登录。' },
  CSRF_TOKEN_INVALID: { status: 403, zh: '请求缺少有效的防伪令牌（x-csrf-token），未作处理。请刷新页面后重试。' },
  AUDIT_CHAIN_BROKEN: { status: 500, zh: '审计记录校验未通过，可能已被篡改。请立即联系系统管理员核查，核查完成前不要继续办理。' },
  AUDIT_SIGNING_KEY_INVALID: { status: 500, zh: '审计签名密钥无法读取。请管理员将 AUDIT_SIGNING_KEY 设为 Ed25519 私钥（PEM 或 PKCS#8 的 base64），或不设置以使用数据目录中的密钥。' },
  AUDIT_CHECKPOINT_INVALID: { status: 422, zh: '审计检查点文件无法读取或格式不对。请使用 audit checkpoint 命令生成的文件。' },
  AUDIT_PAYLOAD_INVALID: { status: 500, zh: '操作记录无法写入审计日志，本次操作未生效。请联系系统管理员。' },
  IDENTIFIER_INVALID: { status: 422, zh: '统一社会信用代码或公民身份号码有误（位数或校验位不符）。请核对后重新填写。' },
  BANK_CHANNEL_FAILED: { status: 502, zh: '银行通道暂时不可用，资金未拨出。请稍后重试；如持续失败，请联系代理银行。' },
  REPORT_MALFORMED: { status: 422, zh: '银行回单文件无法识别（格式错误或缺少必填项），未作任何处理。请联系代理银行重新发送该文件。' },
  QUARANTINE_NOT_FOUND: { status: 404, zh: '找不到所指的待核对回单记录，或该记录已处理。请核对编号后重试。' },
  REVERIFICATION_NOT_FOUND: { status: 404, zh: '找不到待复核的收款账户记录，或该记录已处理。请核对享受对象和支付编号。' },
  FOLLOW_UP_EMPTY: { status: 409, zh: '没有已复核账户、可以重新拨付的失败或退回款项，未生成补发批次。请先复核收款账户。' },
  RECOVERY_NOT_FOUND: { status: 404, zh: '找不到所指的追回记录。请核对编号（可用 recoveries list 查看待办的追回）。' },
  RECOVERY_STATE_INVALID: { status: 409, zh: '该笔追回已办结（已追回或已核销），不能再次办理。请刷新查看其最新状态。' },
  RECOVERY_AMOUNT_MISMATCH: { status: 422, zh: '登记的追回金额与应追回金额不一致，未作登记。请在款项全额追回后按应追回金额登记；确实无法全额追回的，由财务审批人员写明理由后核销。' },
  RECOVERY_SELF_WRITE_OFF_FORBIDDEN: { status: 403, zh: '发起该笔追回的账号不能核销它。请由另一位财务审批人员核销。' },
  CALENDAR_YEAR_UNKNOWN: { status: 500, zh: '系统尚无该年度的法定节假日和调休安排，无法按工作日计算期限。请管理员在国务院办公厅公布该年度放假安排后更新节假日数据（chinese-days）再试。' },
  ARGUMENT_INVALID: { status: 400, zh: '参数有误，未作任何处理。请按提示更正所列参数后重试（命令行可加 --help 查看用法）。' },
  INTERNAL: { status: 500, zh: '服务器内部错误，操作未完成。请稍后重试；如仍失败，请将请求编号告知系统管理员。' },
} as const satisfies Record<string, { status: number; zh: string }>;

export type ErrorCode = keyof typeof ErrorCodes;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = ErrorCodes[code].status;
    this.details = details;
  }

  /** The user-facing Chinese text of this error's code. */
  get messageZh(): string {
    return ErrorCodes[this.code].zh;
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
