package dev.rlaif.common.validation;

/**
 * One problem with one field of an input record.
 *
 * @param field   the field's name, dotted for nested fields ({@code sampling.temperature}, {@code prompt[1].role})
 * @param message what is wrong, in words a client can act on
 */
public record FieldError(String field, String message) {
}
