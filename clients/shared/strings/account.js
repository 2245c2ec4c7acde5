// Strings of sign up, sign in, sign out.
export const ZH = {
};

export const ELDER = {
};
