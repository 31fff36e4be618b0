// Phone numbers checked as they are typed, by the rules and in the words of the server's reading (Domain's
// PhoneNumber): a field for a phone number (inputmode="tel" or type="tel") says beside itself what is wrong when the
// secretary leaves it, and again at each key until it is right (aria-invalid, aria-describedby). The server checks
// again when the form is sent; an empty field is the form's concern (required or not).
(function () {
  const SHORT = ["15", "17", "18", "112", "114", "115", "119", "3114", "116117", "3237"];
  const LENGTH = "Un numéro français compte 10 chiffres (0X XX XX XX XX).";

  function problem(text) {
    const trimmed = text.trim();
    if (!trimmed) return null;
    let digits = "";
    let plus = false;
    for (let index = 0; index < trimmed.length; index++) {
      const character = trimmed[index];
      if (character >= "0" && character <= "9") digits += character;
      else if (character === "+" && index === 0) plus = true;
      else if (!" .-/()\u00A0".includes(character)) return "Le numéro contient des caractères inattendus.";
    }
    if (trimmed.includes("(0)") && digits.startsWith("330")) digits = "33" + digits.slice(3);
    if (!plus && SHORT.includes(digits)) return "Les numéros courts (15, 112, 114, 3114, 116 117…) ne sont pas des numéros de patient.";
    if (plus || digits.startsWith("00")) {
      const international = plus ? digits : digits.slice(2);
      if (international.startsWith("33")) {
        const national = international.slice(2);
        return national.length === 9 && national[0] !== "0" ? null : LENGTH;
      }
      return international.length >= 8 && international.length <= 15 && international[0] !== "0" ? null : "Le numéro international n'est pas reconnu.";
    }
    return digits.length === 10 && digits[0] === "0" && digits[1] !== "0" ? null : LENGTH;
  }

  let count = 0;
  function check(field) {
    const said = problem(field.value);
    let note = field.checkNote;
    if (!note) {
      note = document.createElement("span");
      note.className = "field-error";
      note.id = "telephone-erreur-" + (++count);
      note.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", note);
      field.checkNote = note;
    }
    note.textContent = said || "";
    note.hidden = !said;
    if (said) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", note.id);
    } else {
      field.removeAttribute("aria-invalid");
      if (field.getAttribute("aria-describedby") === note.id) field.removeAttribute("aria-describedby");
    }
    return !said;
  }

  for (const field of document.querySelectorAll('input[inputmode="tel"], input[type="tel"]')) {
    field.addEventListener("blur", () => check(field));
    field.addEventListener("input", () => { if (field.getAttribute("aria-invalid") === "true") check(field); });
  }
})();
