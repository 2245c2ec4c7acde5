// Strings of the enterprise appeals zone (诉求专区) and the 2115 steps.
export const ZH = {
};

export const ELDER = {
};
