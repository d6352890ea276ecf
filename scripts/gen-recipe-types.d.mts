export declare const schemaPath: string;
export declare const typesPath: string;
export declare function generateRecipeTypes(schema: unknown): string;
