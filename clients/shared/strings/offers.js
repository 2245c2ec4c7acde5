// Strings of 单事项 (one item applied for on its own), 秒批 (decided by rule) and 免申即享 (proactive offers).
export const ZH = {
  "single.tag": "单事项",
  "single.department": "{department}办理",
  "single.applyAlone": "单独办理",
  "single.applyAloneLabel": "单独办理“{item}”",

  "instant.decidedBy": "审批方式",
  "instant.byRule": "系统自动审批（秒批）",
  "instant.byPerson": "部门人工审批",
  "instant.rule": "审批规则",
  "instant.ruleShort": "秒批",
  "instant.live": "“{item}”已由系统自动审批办结（秒批）",

  "offers.title": "为您推荐（免申即享）",
  "offers.lead": "根据您已办结的事项，您现在可以享受以下服务，无需再次提交材料。",
  "offers.fromApplication": "来自受理编号为 {number} 的申请",
  "offers.accept": "一键申请",
  "offers.acceptLabel": "一键申请“{bundle}”",
  "offers.accepting": "正在申请…",
  "offers.decline": "不需要",
  "offers.declineLabel": "不需要“{bundle}”",
  "offers.declined": "已不再为您推荐“{bundle}”",
  "offers.status.OPEN": "待您确认",
  "offers.status.ACCEPTED": "已申请",
  "offers.status.DECLINED": "已谢绝",
  "offers.acceptedAs": "申请的受理编号：{number}",
  "offers.madeHere": "本件办结后为您推荐",
  "offers.formLead": "这是为您推荐的服务“{bundle}”：已办事项中的信息已预先填好，请补充标出的内容后提交。",
};

export const ELDER = {
  "offers.lead": "您办好的事，让您现在可以直接享受下面这些服务，不用再交材料。",
  "instant.byRule": "系统自动办好了（秒批）",
  "offers.decline": "不用了",
};
