// Strings of the merged form (task list, one topic per page, check your answers) and submission.
export const ZH = {
};

export const ELDER = {
};
