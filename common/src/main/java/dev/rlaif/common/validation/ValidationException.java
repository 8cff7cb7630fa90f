package dev.rlaif.common.validation;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when an input record is invalid; carries every field error found, not just the first. */
public class ValidationException extends RuntimeException {

    private final List<FieldError> errors;

    public ValidationException(List<FieldError> errors) {
        super(errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
