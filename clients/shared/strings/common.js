// Strings of the shell: navigation, errors, live status, elder mode.
export const ZH = {
  "app.title": "爱山东",
  "app.tagline": "高效办成一件事",
  "app.skip": "跳到主要内容",
  "app.offline": "当前处于离线状态，显示的是上次访问时保存的内容",
  "app.loading": "正在加载…",
  "app.notFound": "找不到这个页面",
  "nav.home": "首页",
  "nav.bundles": "一件事",
  "nav.applications": "我的办件",
  "nav.lutong": "鲁通码",
  "nav.appeals": "诉求专区",
  "nav.signIn": "登录",
  "nav.signUp": "注册",
  "nav.signOut": "退出登录",
  "nav.main": "主导航",
  "elder.switch": "长辈模式",
  "errors.title": "操作没有成功",
  "errors.summaryTitle": "请修改以下问题",
  "errors.offline": "网络连接不可用",
  "errors.unknown": "发生未知错误，请稍后再试",
  "errors.signInRequired": "请先登录",
  "live.connecting": "正在连接实时进度…",
  "live.live": "实时更新中",
  "live.retrying": "连接中断，正在重新连接…",
  "live.ended": "实时更新已停止",
};

export const ELDER = {
  "app.offline": "现在没有网络，看到的是上次保存的内容",
  "errors.summaryTitle": "有几处需要改一下",
  "errors.unknown": "出了点问题，请稍后再试",
};
