export declare const CHROMIUM_FLAGS: string[];
export declare function findChromium(): string | null;
export declare function installChromium(): void;
export declare function ensureChromium(): string;
