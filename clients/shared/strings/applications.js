// Strings of my applications, live progress, supplements, rating (好差评).
export const ZH = {
};

export const ELDER = {
};
