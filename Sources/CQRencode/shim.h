// libqrencode (Debian: libqrencode-dev), which draws the QR code of a second factor's enrolment.
#include <qrencode.h>
