// Strings of the 鲁通码 page and the access log.
export const ZH = {
};

export const ELDER = {
};
