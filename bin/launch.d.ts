/** Types of launch.js, which bin/estraces.js runs as plain JavaScript before anything is compiled. */
export declare const BUILT_CLI: string;
export declare const BUILT_CLI_SOURCES: string;
export declare function builtCliIsCurrent(root: string): boolean;
export declare function loadCli(root: string, env?: Record<string, string | undefined>): { main(args: string[]): Promise<number> };
