// Strings of the bundle list, search and the bundle page.
export const ZH = {
};

export const ELDER = {
};
