#!/usr/bin/env python3
"""ft's hf trainer: Hugging Face transformers + peft, speaking ft's trainer protocol v1.

FIRST VERSION, NOT YET RUN AGAINST TRANSFORMERS: ft runs it for `trainer: hf` (that side is
tested, with a stand-in interpreter), but the machine it was written on has neither transformers
nor a GPU; only `info`, the protocol framing and the missing-package errors are tested here.

    hf_trainer.py train --spec <path>      adapter: lora (default), qlora (4-bit base) or none (full)
    hf_trainer.py generate --spec <path>   answers with the base model or a trained adapter
    hf_trainer.py info

Chat examples are rendered with the tokenizer's chat template (or the spec's
hyperparameters.chat_template, which is then stored with the adapter so serving uses the same
one); the loss covers assistant tokens only, and an assistant message with weight 0 is not
trained on. Events go to stdout as JSON lines, from rank 0 only; everything else is logged.
"""
import json
import os
import sys

VERSION = "0.1.0"


def emit(event):
    if int(os.environ.get("RANK", "0")) == 0:
        print(json.dumps(event), flush=True)


def fail(message, code=2):
    emit({"type": "error", "message": message})
    sys.exit(code)


def need(module):
    try:
        return __import__(module)
    except ImportError:
        fail(f"{module} is not installed in {sys.executable}; run `ft doctor --python {sys.executable}`")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def model_source(base):
    """The name or path to load, and the revision to pin it at."""
    if isinstance(base, str):
        return base, None
    return base.get("path") or base["name"], base.get("revision")


def encode_chat(tokenizer, messages, max_len):
    """input_ids and labels: labels are -100 except on assistant tokens whose weight is not 0.

    Each assistant message's tokens are found by rendering the conversation up to the message
    before it with the generation prompt, and up to it: the difference is the answer.
    """
    ids, labels = [], []
    previous = []
    for i, message in enumerate(messages):
        upto = tokenizer.apply_chat_template(messages[: i + 1], tokenize=True)
        new = upto[len(previous):]
        trained = message.get("role") == "assistant" and message.get("weight", 1) != 0
        if trained:
            prompt = tokenizer.apply_chat_template(messages[:i], tokenize=True, add_generation_prompt=True)
            head = len(prompt) - len(previous)
            ids += new
            labels += [-100] * max(0, head) + new[max(0, head):]
        else:
            ids += new
            labels += [-100] * len(new)
        previous = upto
    return ids[:max_len], labels[:max_len]


def train(spec_path):
    spec = json.load(open(spec_path, encoding="utf-8"))
    if spec.get("format") != "chat":
        fail("the hf trainer trains chat examples; preference data needs a DPO trainer")
    torch = need("torch")
    transformers = need("transformers")
    peft = need("peft")
    hp = spec["hyperparameters"]
    name, revision = model_source(spec["base_model"])
    out = spec["output_dir"]
    transformers.set_seed(spec["seed"])
    tokenizer = transformers.AutoTokenizer.from_pretrained(name, revision=revision)
    if hp.get("chat_template"):
        tokenizer.chat_template = hp["chat_template"]
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    lora = hp.get("lora") or {}
    adapter = hp.get("adapter", "lora")
    kwargs = {"revision": revision}
    if adapter == "qlora":
        need("bitsandbytes")
        if not torch.cuda.is_available():
            fail("adapter: qlora loads the base model in 4 bits with bitsandbytes, which needs a CUDA GPU")
        kwargs["quantization_config"] = transformers.BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16)
    model = transformers.AutoModelForCausalLM.from_pretrained(name, **kwargs)
    if adapter == "qlora":
        model = peft.prepare_model_for_kbit_training(model)
    if adapter != "none":
        config = peft.LoraConfig(
            r=lora.get("r", 8), lora_alpha=lora.get("alpha", 16), lora_dropout=lora.get("dropout", 0.05),
            target_modules=lora.get("target_modules"), task_type="CAUSAL_LM")
        model = peft.get_peft_model(model, config)
    max_len = int(hp.get("max_seq_len", 2048))

    def dataset(path):
        rows = []
        for record in read_jsonl(path):
            ids, labels = encode_chat(tokenizer, record["messages"], max_len)
            rows.append({"input_ids": ids, "labels": labels, "attention_mask": [1] * len(ids)})
        return rows

    train_rows = dataset(spec["train_file"])
    eval_rows = dataset(spec["validation_file"]) if spec.get("validation_file") else None

    def collate(batch):
        width = max(len(r["input_ids"]) for r in batch)
        pad = tokenizer.pad_token_id
        return {
            "input_ids": torch.tensor([r["input_ids"] + [pad] * (width - len(r["input_ids"])) for r in batch]),
            "labels": torch.tensor([r["labels"] + [-100] * (width - len(r["labels"])) for r in batch]),
            "attention_mask": torch.tensor([r["attention_mask"] + [0] * (width - len(r["attention_mask"])) for r in batch]),
        }

    class Events(transformers.TrainerCallback):
        def on_train_begin(self, args, state, control, **kw):
            emit({"type": "start", "total_steps": state.max_steps})

        def on_log(self, args, state, control, logs=None, **kw):
            logs = logs or {}
            if "loss" in logs:
                emit({"type": "progress", "step": state.global_step, "total_steps": state.max_steps,
                      "epoch": round(state.epoch or 0, 4), "loss": logs["loss"],
                      "lr": logs.get("learning_rate", 0.0)})
            if "eval_loss" in logs:
                emit({"type": "eval", "step": state.global_step, "loss": logs["eval_loss"]})

        def on_save(self, args, state, control, **kw):
            path = f"checkpoint-{state.global_step}"
            emit({"type": "checkpoint", "step": state.global_step, "path": path})

    args = transformers.TrainingArguments(
        output_dir=out, num_train_epochs=hp.get("n_epochs", hp.get("epochs", 3)),
        per_device_train_batch_size=hp.get("batch_size", 4), learning_rate=hp.get("learning_rate", 2e-4),
        gradient_accumulation_steps=hp.get("gradient_accumulation_steps", 1),
        weight_decay=hp.get("weight_decay", 0.0),
        warmup_ratio=hp.get("warmup_ratio", 0.0), logging_steps=1, save_strategy="epoch",
        eval_strategy="epoch" if eval_rows else "no", seed=spec["seed"], report_to=[],
        remove_unused_columns=False)
    trainer = transformers.Trainer(model=model, args=args, train_dataset=train_rows, eval_dataset=eval_rows,
                                   data_collator=collate, callbacks=[Events()])
    trainer.train(resume_from_checkpoint=spec.get("resume_from"))
    model_dir = os.path.join(out, "model")
    model.save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    emit({"type": "artifact", "name": "model", "path": "model"})
    if tokenizer.chat_template:
        # The template the examples were rendered with, on its own, for whoever serves the model.
        with open(os.path.join(out, "chat_template.jinja"), "w", encoding="utf-8") as f:
            f.write(tokenizer.chat_template)
        emit({"type": "artifact", "name": "chat_template", "path": "chat_template.jinja"})
    versions = {"torch": torch.__version__, "transformers": transformers.__version__,
                "peft": peft.__version__, "cuda": torch.version.cuda,
                "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
    emit({"type": "done", "metrics": {"versions": versions}})


def generate(spec_path):
    spec = json.load(open(spec_path, encoding="utf-8"))
    torch = need("torch")
    transformers = need("transformers")
    name, revision = model_source(spec["base_model"])
    tokenizer = transformers.AutoTokenizer.from_pretrained(name, revision=revision)
    model = transformers.AutoModelForCausalLM.from_pretrained(name, revision=revision)
    if spec.get("artifacts"):
        trained = spec["artifacts"]["model"]
        if os.path.exists(os.path.join(trained, "adapter_config.json")):
            peft = need("peft")
            model = peft.PeftModel.from_pretrained(model, trained)
        else:  # adapter: none saved the whole model
            model = transformers.AutoModelForCausalLM.from_pretrained(trained)
        tokenizer = transformers.AutoTokenizer.from_pretrained(trained)
    params = spec.get("params", {})
    transformers.set_seed(params.get("seed", 0))
    inputs = read_jsonl(spec["inputs"])
    with open(spec["output"], "w", encoding="utf-8") as f:
        for n, item in enumerate(inputs, 1):
            messages = item["messages"]
            last = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=len(messages))
            prompt = tokenizer.apply_chat_template(messages[:last], add_generation_prompt=True, return_tensors="pt")
            temperature = params.get("temperature", 0)
            answers = []
            for _ in range(params.get("samples", 1)):
                with torch.no_grad():
                    ids = model.generate(prompt, max_new_tokens=params.get("max_tokens", 256),
                                         do_sample=temperature > 0, temperature=temperature or None)
                answers.append(tokenizer.decode(ids[0][prompt.shape[1]:], skip_special_tokens=True))
            f.write(json.dumps({"id": item["id"], "output": answers if "samples" in params else answers[0]}) + "\n")
            emit({"type": "progress", "done": n, "total": len(inputs)})
    emit({"type": "done"})


def main(argv):
    if argv[:1] == ["info"]:
        print(json.dumps({"name": "ft-hf", "version": VERSION, "protocol": [1],
                          "capabilities": ["train", "generate", "resume", "lora", "qlora", "full"]}))
        return
    if len(argv) == 3 and argv[0] in ("train", "generate") and argv[1] == "--spec":
        (train if argv[0] == "train" else generate)(argv[2])
        return
    print(f"usage: hf_trainer.py train|generate --spec <path> | info (got {argv})", file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
