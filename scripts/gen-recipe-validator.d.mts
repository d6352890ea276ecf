export declare const schemaPath: string;
export declare const validatorPath: string;
export declare function generateRecipeValidator(schema: unknown): string;
