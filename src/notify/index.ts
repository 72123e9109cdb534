export { channelsOf } from "./config";
export { consumeNotify, consumeNotifyDead, NOTIFY_DLQ_NAME, NOTIFY_QUEUE_NAME } from "./consumer";
export { hmacHex, notificationRequest, SIGNATURE_HEADER } from "./deliver";
