export { type CompiledTemplate, compileTemplate, printValue, TemplateError } from "./exec";
